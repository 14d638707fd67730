"""The performance reading follows the model in use: a pipeline that logs its metric only to
MLflow (no metrics file), retrained twice by retrigger, is read from the run of the champion —
not from the team's first run because retrigger's retrain runs carry retrigger's tags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cli import run_cli
from tests.support.real_projects import set_params

pytestmark = pytest.mark.slow


def _client(root: Path) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")


def _configure(root: Path) -> str:
    """The wine project without validation rows (the gate compares the logged numbers), with
    a performance ceiling that never fires. The numbers come from different data (the later
    evaluation run records no data version): promoted anyway, as this test is about which
    number is read, not about the gate's rule for incomparable numbers (test_incomparable.py)."""
    path = root / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["validation"] = {"when_incomparable": "promote"}
    config["signals"] = {"performance": {"min": 10.0}}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path)


def _retrain(config: str, reason: str) -> dict[str, Any]:
    result = run_cli("run", "-c", config, "--force", "--reason", reason, "--json")
    assert result.code == 0, result.err
    outcome: dict[str, Any] = json.loads(result.out)
    assert outcome["status"] == "promoted", outcome["message"]
    return outcome


def test_check_reads_the_champions_run_after_two_retrains(wine: Path) -> None:
    config = _configure(wine)
    team_run = _client(wine).get_model_version("wine", "1").run_id
    team_mae = _client(wine).get_run(team_run).data.metrics["mae"]
    set_params(wine, alpha=0.1)
    first = _retrain(config, "tuned")
    set_params(wine, alpha=0.01)
    second = _retrain(config, "tuned again")
    assert second["model_version"] == "3"
    champion_mae = _client(wine).get_run(second["run_id"]).data.metrics["mae"]
    assert champion_mae < team_mae  # the reading must tell the two apart

    checked = run_cli("check", "-c", config, "--json")

    assert checked.code == 0, checked.err
    reading = next(s for s in json.loads(checked.out)["signals"] if s["kind"] == "performance")
    assert reading["value"] == pytest.approx(champion_mae)
    assert reading["source"] == {"run_id": second["run_id"], "model_version": "3"}
    assert f"run {second['run_id'][:8]}" in reading["detail"] and "v3" in reading["detail"]
    shown = run_cli("history", "-c", config, "--json")
    rows = {row["run_id"]: row for row in json.loads(shown.out)["runs"]}
    first_mae = _client(wine).get_run(first["run_id"]).data.metrics["mae"]
    # The second retrain's "before" is the model it challenged (v2), not the team's first run.
    assert rows[second["run_id"]]["metric_before"] == pytest.approx(first_mae)
    assert rows[first["run_id"]]["metric_before"] == pytest.approx(team_mae)
    logged = _client(wine).get_run(second["run_id"]).data.metrics["mae_before"]
    assert logged == pytest.approx(first_mae)


def test_a_later_run_that_evaluated_the_champion_is_the_newest_number_everywhere(
    wine: Path,
) -> None:
    import mlflow

    config = _configure(wine)
    set_params(wine, alpha=0.1)
    promoted = _retrain(config, "tuned")
    source = _client(wine).get_model_version("wine", "2").source
    mlflow.set_tracking_uri(f"sqlite:///{wine / 'mlflow.db'}")
    mlflow.set_experiment("wine")
    with mlflow.start_run() as evaluation:  # the team scores the champion on fresh labels
        mlflow.log_metric("mae", 0.9876, model_id=source.removeprefix("models:/"))
    with mlflow.start_run():  # an experiment of theirs with another model: not the one in use
        mlflow.log_metric("mae", 0.1111)

    checked = run_cli("check", "-c", config, "--json")

    reading = next(s for s in json.loads(checked.out)["signals"] if s["kind"] == "performance")
    assert reading["value"] == pytest.approx(0.9876), promoted
    assert reading["source"] == {"run_id": evaluation.info.run_id, "model_version": "2"}
    # The next retrain's gate and its "before" use that same number.
    set_params(wine, alpha=0.01)
    challenged = _retrain(config, "tuned again")
    assert challenged["validation"]["champion"] == pytest.approx(0.9876)
    assert challenged["metric_before"] == pytest.approx(0.9876)
    assert f"from run {evaluation.info.run_id[:8]}" in challenged["compared_on"]
