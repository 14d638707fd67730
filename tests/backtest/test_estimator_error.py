"""``retrigger backtest`` reports the label-free estimator's error over the history: the
estimates real checks stored, beside the realised metric a later check read for the same rows."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sklearn.linear_model import LogisticRegression

from retrigger.config import load_config
from retrigger.decision import Decision, Reading
from retrigger.workspace import Workspace
from tests.backtest.history import T0
from tests.backtest.test_cli import snapshot
from tests.estimation.synthetic import world
from tests.models.conftest import save
from tests.support.cli import run_cli
from tests.support.fake_slack import FakeSlack

ESTIMATION = {"data": "new.csv", "reference": "reference.csv", "target": "label"}


def _register(root: Path, model: Any, folder: Path) -> None:
    """The champion of the history's model ``churn``: a real sklearn model in MLflow."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{root / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("churn")
    assert experiment is not None
    run = client.create_run(experiment.experiment_id)
    client.log_artifacts(run.info.run_id, str(save(model, folder)), "model")
    client.set_terminated(run.info.run_id)
    client.create_registered_model("churn")
    version = client.create_model_version("churn", f"runs:/{run.info.run_id}/model")
    adopted = run_cli("champion", "set", str(version.version), "-c", str(root / "check.yaml"))
    assert adopted.code == 0, adopted.err


def _check_config(root: Path, performance: dict[str, Any], **sections: Any) -> None:
    document = yaml.safe_load((root / "retrigger.yaml").read_text())
    document["signals"] = {"performance": performance}
    (root / "check.yaml").write_text(yaml.safe_dump({**document, **sections}))


def _check(root: Path) -> dict[str, Any]:
    result = run_cli("check", "-c", str(root / "check.yaml"), "--json")
    assert result.code == 0, result.err
    return dict(json.loads(result.out))


def _backtest(root: Path, *extra: str) -> Any:
    return run_cli("backtest", "-c", str(root / "retrigger.yaml"), *extra)


def test_an_estimate_later_labelled_is_reported_with_its_error_and_coverage(
    history_project: tuple[Path, list[str]],
    tmp_path: Path,
    fake_slack: FakeSlack,
) -> None:
    root, shas = history_project
    rows = world(seed=0)
    reference, labels = rows["reference"]
    reference.assign(label=labels).to_csv(root / "reference.csv", index=False)
    features, truth = rows["covariate"]
    features.to_csv(root / "new.csv", index=False)
    _check_config(root, {"source": "estimated", "min": 0.5}, estimation=ESTIMATION)
    model = LogisticRegression().fit(*rows["train"])
    _register(root, model, tmp_path / "mlmodel")
    estimated = _check(root)  # the unlabelled rows: an estimate is stored
    features.assign(label=truth).sample(frac=1.0, random_state=1).to_csv(
        root / "labelled.csv", index=False
    )
    validation = {"data": "labelled.csv", "target": "label", "metric": "accuracy"}
    _check_config(root, {"source": "validation", "min": 0.5}, validation=validation)
    labelled = _check(root)  # the same rows, labelled: the realised metric beside it
    # Each check closed the store when it ended: its WAL was folded in then, not by the garbage
    # collector in the middle of the backtest (which made the snapshot below differ, at random).
    assert not (root / ".retrigger" / "state.db-wal").exists()
    before = snapshot(root)

    result = _backtest(root, "--json")
    text = _backtest(root, "--html", str(tmp_path / "report.html"), "--slack")

    assert result.code == 0, result.err
    found = json.loads(result.out)["estimator_error"]
    (pair,) = found["pairs"]
    estimate = estimated["signals"][0]["estimate"]
    realised = float((model.predict(features) == truth).mean())
    error = realised - estimate["value"]
    assert labelled["signals"][0]["value"] == pytest.approx(realised)
    assert pair["decision_id"] == estimated["decision_id"] and pair["commit"] == shas[-1]
    assert pair["realised"]["decision_id"] == labelled["decision_id"]
    assert pair["realised"]["error"] == pytest.approx(error)
    inside = estimate["low"] <= realised <= estimate["high"]
    assert found["mean_abs_error"] == pytest.approx(abs(error)) == found["max_abs_error"]
    assert found["coverage"] == (1.0 if inside else 0.0) and found["unknown"] is None
    assert text.code == 0, text.err
    summary = "estimator error over 1 estimate compared with the realised metric"
    assert summary in text.out
    page = (tmp_path / "report.html").read_text()  # the page and #ml-ops say it too
    assert summary in page and f"(decision {labelled['decision_id']}), off by" in page
    (message,) = fake_slack.of("chat.postMessage")
    assert f"Label-free {summary}: mean absolute" in message.params["text"]
    assert snapshot(root) == before  # the state store was only read


def test_without_a_realised_metric_the_error_is_unknown_not_zero(
    history_project: tuple[Path, list[str]],
) -> None:
    root, shas = history_project
    workspace = Workspace(load_config(root / "retrigger.yaml", environ={}))
    estimate = {
        "metric": "accuracy",
        "value": 0.81,
        "low": 0.79,
        "high": 0.83,
        "rows_key": "0123456789abcdef",
        "data": {"path": "new.csv", "md5": "d41d8cd98f00b204e9800998ecf8427e"},
    }
    when = T0 + timedelta(days=4, hours=6)  # after day 4's commit, before day 5's
    reading = Reading("performance", 0.81, 0.8, False, "estimated", {"estimate": estimate})
    decision = Decision("d-1", "churn", when, False, False, (), None, None, (reading,), None)
    with workspace.store.transaction() as conn:
        from retrigger.store import decisions

        decisions.save(conn, decision)

    result = _backtest(root, "--json")
    text = _backtest(root)

    found = json.loads(result.out)["estimator_error"]
    assert found["compared"] == 0 and found["mean_abs_error"] is None
    assert found["coverage"] is None and "none of the 1 estimates was compared" in found["unknown"]
    assert found["pairs"][0]["commit"] == shas[2] and found["pairs"][0]["realised"] is None
    assert "estimator error: unknown: none of the 1 estimates" in text.out
    assert "no realised metric for these rows yet" in text.out


def test_a_project_that_never_estimated_has_no_estimator_section(
    history_project: tuple[Path, list[str]],
) -> None:
    root, _ = history_project

    result = _backtest(root, "--json")

    assert result.code == 0 and "estimator_error" not in json.loads(result.out)
