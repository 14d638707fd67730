"""What orchestrator tasks run: the `retrigger` CLI in a subprocess, and the approval sensor's
read of the state store (SQLite and PostgreSQL). No Airflow needed here."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrigger.decision import Decision, new_decision_id
from retrigger.errors import BadInput
from retrigger.integrations.airflow import ApprovalClosed, poke_approval
from retrigger.integrations.runner import RetriggerCli
from retrigger.lineage import tags
from retrigger.store import Store, approvals, decisions
from retrigger.workspace import Workspace
from tests.support import retrain

# The demo project after new data made the check fire, with a local DVC remote (session-built).
degraded_template = retrain.degraded_template


def _fired(now: datetime) -> Decision:
    return Decision(
        id=new_decision_id(now),
        model="churn",
        created_at=now,
        fire=True,
        wanted=True,
        trigger_types=("performance",),
        held_by=None,
        hold_detail=None,
        readings=(),
        data_version="abc",
        git_commit="f00",
    )


@pytest.fixture
def project(tmp_path: Path, store_url: str) -> Path:
    (tmp_path / "retrigger.yaml").write_text(
        f"model: {{name: churn}}\nstate: {{url: '{store_url}'}}\npolicy: {{approval: required}}\n"
    )
    return tmp_path


def _store(project: Path, store_url: str) -> Store:
    return Store.open(store_url, project)


def test_the_sensor_waits_for_a_yes_and_gives_up_on_a_no(project: Path, store_url: str) -> None:
    now = datetime.now(tz=UTC)
    store = _store(project, store_url)
    approved, rejected = _fired(now), _fired(now)
    with store.transaction() as conn:
        for decision in (approved, rejected):
            decisions.save(conn, decision)
            approvals.request(conn, decision, "ci", timedelta(hours=1), now)
    cli = RetriggerCli(project)
    waiting = {"decision_id": approved.id, "awaiting_approval": True}

    assert poke_approval(cli, waiting) is False
    with store.transaction() as conn:
        pending = approvals.for_decision(conn, approved.id)
        assert pending is not None
        approvals.answer(conn, pending.id, "U1", True, None, now)
    assert poke_approval(cli, waiting) is True

    with store.transaction() as conn:
        pending = approvals.for_decision(conn, rejected.id)
        assert pending is not None
        approvals.answer(conn, pending.id, "U1", False, "not now", now)
    with pytest.raises(ApprovalClosed, match="rejected"):
        poke_approval(cli, {"decision_id": rejected.id, "awaiting_approval": True})
    store.close()


def test_no_approval_needed_means_no_wait(project: Path) -> None:
    cli = RetriggerCli(project)

    assert poke_approval(cli, {"decision_id": "d-unknown", "awaiting_approval": False}) is True
    with pytest.raises(ApprovalClosed, match="missing"):
        poke_approval(cli, {"decision_id": "d-unknown", "awaiting_approval": True})


@pytest.mark.slow
def test_check_task_runs_the_real_cli_and_stores_the_decision(demo_project: Path) -> None:
    outcome = RetriggerCli(demo_project).check()

    with sqlite3.connect(demo_project / ".retrigger" / "state.db") as conn:
        stored = dict(conn.execute("SELECT id, fire FROM decisions"))
    assert stored[outcome.decision_id] == int(outcome.fire)
    assert outcome.awaiting_approval is False


@pytest.mark.slow
def test_a_cli_refusal_becomes_the_same_error_type(tmp_path: Path) -> None:
    (tmp_path / "retrigger.yaml").write_text("model: {name: churn}\nsignals: {bogus: 1}\n")

    with pytest.raises(BadInput, match=r"retrigger check.* exited 2: .*signals.bogus"):
        RetriggerCli(tmp_path).check()


@pytest.mark.slow
def test_the_airflow_approval_path_check_wait_approve_retrain(
    degraded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the DAG's three tasks do when the policy requires approval, without Airflow."""
    import shutil

    from retrigger.integrations.airflow import retrain_task
    from tests.support.retrain import record_first_baseline

    monkeypatch.setenv("RETRIGGER_POLICY__APPROVAL", "required")
    root = Path(shutil.copytree(degraded_template, tmp_path / "project", symlinks=True))
    (tmp_path / "remote").mkdir()
    workspace = Workspace.load(root / "retrigger.yaml")
    record_first_baseline(workspace)
    workspace.store.close()
    cli = RetriggerCli(root)

    outcome = cli.check()  # fires, and asks for approval
    decision = outcome.as_xcom()

    assert outcome.fire and outcome.awaiting_approval
    assert poke_approval(cli, decision) is False
    store = Store.open("sqlite:///.retrigger/state.db", root)
    with store.transaction() as conn:
        pending = approvals.for_decision(conn, outcome.decision_id)
        assert pending is not None
        approvals.answer(conn, pending.id, "U1", True, None, datetime.now(tz=UTC))
    store.close()
    assert poke_approval(cli, decision) is True

    class TaskInstance:
        def xcom_pull(self, task_ids: str) -> dict[str, object]:
            assert task_ids == "check"
            return decision

    result = retrain_task(str(root), None, list(cli.command), TaskInstance())
    assert result["status"] == "promoted"
    with sqlite3.connect(root / "mlflow.db") as mlflow_db:
        approved_by = mlflow_db.execute(
            "SELECT value FROM tags WHERE run_uuid = ? AND key = ?",
            (result["run_id"], tags.APPROVED_BY),
        ).fetchone()
    assert approved_by == ("U1",)  # the audit trail names who approved it
