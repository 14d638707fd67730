"""One pair of numbers per retrain: with `validation:` the "before → after" that the CLI,
`history`, Slack, the MLflow run and the PR body show is the champion's and the challenger's
score on the validation rows — what the gate compared — labelled with those rows; without it,
the two recorded numbers with the data each was measured on. Never the model in use's old
metric beside the challenger's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.commands.explain import explain
from retrigger.commands.explain_lines import markdown
from retrigger.notify.render import render
from retrigger.store import outbox
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.real_projects import set_params

pytestmark = pytest.mark.slow

ROWS = "both scored on data/validation.csv (200 rows, md5 "


def _retrain(root: Path) -> dict[str, Any]:
    config = str(root / "retrigger.yaml")
    result = run_cli("run", "-c", config, "--force", "--reason", "tuned", "--json")
    outcome: dict[str, Any] = json.loads(result.out)
    return outcome


def _everywhere(root: Path, outcome: dict[str, Any], kind: str) -> dict[str, Any]:
    """The pair as the run output, history, MLflow, Slack and the PR body show it."""
    from mlflow.tracking import MlflowClient

    config = root / "retrigger.yaml"
    rows = json.loads(run_cli("history", "-c", str(config), "--json").out)["runs"]
    metrics = (
        MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
        .get_run(outcome["run_id"])
        .data.metrics
    )
    [(payload,)] = sqlite_rows(
        root / ".retrigger" / "state.db", f"SELECT payload FROM outbox WHERE kind = '{kind}'"
    )
    story = explain(Workspace.load(config), outcome["decision_id"])
    return {
        "history": next(r for r in rows if r["run_id"] == outcome["run_id"]),
        "mlflow": (metrics["mae_before"], metrics["mae_after"]),
        "slack": render(kind, json.loads(str(payload))).text,
        "pr": markdown(story),
        "explain": run_cli("explain", outcome["decision_id"], "-c", str(config)).out,
    }


def _assert_one_pair(root: Path, outcome: dict[str, Any], kind: str) -> None:
    gate = outcome["validation"]
    before, after = gate["champion"], gate["new"]
    assert (outcome["metric_before"], outcome["metric_after"]) == (before, after)
    assert outcome["compared_on"].startswith(ROWS)
    shown = _everywhere(root, outcome, kind)
    row = shown["history"]
    assert (row["metric_before"], row["metric_after"]) == pytest.approx((before, after))
    assert row["compared_on"].startswith(f"mae: {ROWS}")
    assert shown["mlflow"] == pytest.approx((before, after))
    line = f"mae {before:.4g} → {after:.4g} ({ROWS}"
    assert line in shown["slack"]
    assert f"{before:.4g} → {after:.4g} (mae: {ROWS}" in shown["pr"]
    assert f"{before:.4g} → {after:.4g} (mae: {ROWS}" in shown["explain"]


def test_a_rejected_retrain_reports_the_gates_pair_on_the_validation_rows(wine: Path) -> None:
    assert run_cli("champion", "set", "1", "-c", str(wine / "retrigger.yaml")).code == 0
    set_params(wine, alpha=50.0)  # worse

    outcome = _retrain(wine)

    assert outcome["status"] == "rejected-by-validation"
    _assert_one_pair(wine, outcome, outbox.RETRAIN_REJECTED)


def test_a_promoted_retrain_reports_the_gates_pair_on_the_validation_rows(wine: Path) -> None:
    assert run_cli("champion", "set", "1", "-c", str(wine / "retrigger.yaml")).code == 0
    set_params(wine, alpha=0.01)  # better

    outcome = _retrain(wine)

    assert outcome["status"] == "promoted", outcome["message"]
    _assert_one_pair(wine, outcome, outbox.RETRAIN_SUCCEEDED)


def test_without_validation_the_two_recorded_numbers_name_their_data(wine: Path) -> None:
    path = wine / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    del config["validation"]
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    assert run_cli("champion", "set", "1", "-c", str(path)).code == 0
    set_params(wine, alpha=50.0)  # worse on the pipeline's own split

    outcome = _retrain(wine)

    gate = outcome["validation"]
    assert (outcome["metric_before"], outcome["metric_after"]) == (gate["champion"], gate["new"])
    on = outcome["compared_on"]
    assert on.startswith("champion v1: its own recorded mae, from run ")
    assert "on data version" in on.split(";")[0]
    assert on.split("; ")[1].startswith("challenger: its own recorded mae on data version ")


def test_a_model_validation_cannot_score_fails_its_mlflow_run_too(wine: Path) -> None:
    # Columns renamed under the models: neither can predict on the validation rows.
    rows = (wine / "data" / "validation.csv").read_text().splitlines()
    rows[0] = "a,b,c,d,quality"
    (wine / "data" / "validation.csv").write_text("\n".join(rows) + "\n")
    set_params(wine, alpha=0.5)

    outcome = _retrain(wine)

    assert outcome["status"] == "failed" and "cannot predict" in outcome["message"]
    from mlflow.tracking import MlflowClient

    run = MlflowClient(tracking_uri=f"sqlite:///{wine / 'mlflow.db'}").get_run(outcome["run_id"])
    # Not left RUNNING: the run says it failed, and why.
    assert run.info.status == "FAILED"
    assert "cannot predict" in run.data.tags["mlflow.note.content"]
