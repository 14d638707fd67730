"""A stage that raises: its own error line reaches the Slack message, `explain`, the attempt and
the MLflow run (``retrigger/repro.log``), with secrets masked — real git, DVC, MLflow, sklearn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from retrigger.notify.render import render
from retrigger.store import outbox
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow

ERROR = "MemoryError: out of memory while fitting"
TOKEN = "tok-5ecret-value-42"
URL_PASSWORD = "hunter2hunter2"


def failing_train(root: Path) -> None:
    """train.py prints a secret of its environment and a URL with a password, then raises."""
    train = root / "train.py"
    train.write_text(
        "import os\n"
        "print('token', os.environ['DEMO_API_TOKEN'], flush=True)\n"
        f"print('reading https://bob:{URL_PASSWORD}@db.internal/rows', flush=True)\n"
        "raise MemoryError('out of memory while fitting')\n" + train.read_text()
    )


def failed_payload(root: Path) -> dict[str, Any]:
    rows = sqlite_rows(
        root / ".retrigger" / "state.db",
        f"SELECT payload FROM outbox WHERE kind = '{outbox.RETRAIN_FAILED}'",
    )
    (payload,) = [json.loads(str(p)) for (p,) in rows]
    assert isinstance(payload, dict)
    return payload


def retrain_run_id(root: Path) -> str:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("churn")
    assert experiment is not None
    (run,) = client.search_runs([experiment.experiment_id], "tags.`retrigger.retrain` = 'true'")
    return str(run.info.run_id)


def artifact_text(root: Path, run_id: str, path: str, into: Path) -> str:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
    return Path(client.download_artifacts(run_id, path, str(into))).read_text()


def test_a_stage_that_raises_says_why_in_slack_explain_and_the_mlflow_run(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = retrainable.root
    failing_train(root)
    monkeypatch.setenv("DEMO_API_TOKEN", TOKEN)

    result = run_cli("run", "--config", retrainable.config)

    assert result.code == 1

    payload = failed_payload(root)
    shown = render(outbox.RETRAIN_FAILED, payload)
    code = [b for b in shown.blocks if "```" in str(b.get("text", {}).get("text", ""))]
    assert len(code) == 1 and ERROR in code[0]["text"]["text"]
    Block.parse_all(shown.blocks)  # Block Kit slack_sdk accepts
    log = Path(str(payload["log_path"]))
    assert log.is_file() and f"full log: `{log}`" in code[0]["text"]["text"]
    assert ERROR in shown.text  # the notification / console fallback too
    assert TOKEN not in json.dumps(payload) and URL_PASSWORD not in json.dumps(payload)
    assert "token ****" in payload["output_tail"]
    assert "https://bob:****@db.internal/rows" in " ".join(payload["output_tail"])

    story = run_cli("explain", retrainable.decision_id, "--config", retrainable.config)
    assert story.code == 0, story.err
    assert ERROR in story.out and f"full log: {log}" in story.out
    assert TOKEN not in story.out

    logged = artifact_text(root, retrain_run_id(root), "retrigger/repro.log", tmp_path)
    assert ERROR in logged and "Running stage 'train'" in logged
    assert TOKEN not in logged and URL_PASSWORD not in logged
    assert TOKEN not in log.read_text()
