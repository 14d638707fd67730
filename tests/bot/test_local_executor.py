"""The whole chain on the real demo project: check fires, `retrigger run` asks for approval,
an approver clicks, the bot's local executor runs the real `retrigger run --decision ID`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from retrigger.approvals.approvers import Approvers
from retrigger.config.secrets import Secrets
from retrigger.demo import project
from retrigger.slack.engine import BotEngine
from retrigger.slack.runtime import make_executor
from retrigger.store import approvals
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow


def test_an_approved_retrain_runs_through_the_local_executor(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_POLICY__APPROVAL", "required")
    monkeypatch.setenv("RETRIGGER_SLACK__EXECUTOR", "local")
    monkeypatch.setenv("RETRIGGER_SLACK__APPROVERS", "[UBOB]")
    monkeypatch.setenv("RETRIGGER_PIPELINE__PUSH", "false")  # the demo has no DVC remote
    config = str(demo_project / "retrigger.yaml")
    project.degrade(demo_project)
    project.monitor(demo_project)
    decision_id = json.loads(run_cli("check", "-c", config, "--json").out)["decision_id"]
    asked = json.loads(run_cli("run", "--decision", decision_id, "-c", config, "--json").out)
    assert asked["status"] == "awaiting-approval"

    workspace = Workspace.load(Path(config))
    approvers = Approvers(["UBOB"], None, timedelta(minutes=5), workspace.clock)
    engine = BotEngine(workspace, approvers, make_executor(workspace, Secrets()))
    assert engine.click("UBOB", asked["approval_id"], True).changed
    assert engine.dispatch_due() == [asked["approval_id"]]
    engine.close(wait=True)

    with workspace.store.transaction() as conn:
        done = approvals.get(conn, asked["approval_id"])
    assert done is not None and done.executed_at is not None
    progress = [
        json.loads(str(p[0]))["message"]
        for p in sqlite_rows(
            demo_project / ".retrigger" / "state.db",
            "SELECT payload FROM outbox WHERE kind = 'executor_progress' ORDER BY id",
        )
    ]
    assert progress[0].startswith(f"started `retrigger run --decision {decision_id}` in ")
    assert progress[1] == "`retrigger run` exited 0, status promoted", progress
