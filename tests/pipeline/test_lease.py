"""A dispatch is a lease, not a flag (real SQLite store, real processes as dead runners), and
``--force --reason`` always makes a new decision."""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

from retrigger.approvals import lease
from retrigger.pipeline.select import Request, choose
from retrigger.proc import start_time
from retrigger.store import approvals, attempts, decisions, locks
from retrigger.workspace import Workspace
from tests.support.workspaces import START, Clock, fired_decision, mini_workspace

LEASE, STALE = timedelta(minutes=10), timedelta(minutes=10)


def _approved(workspace: Workspace) -> approvals.Approval:
    decision = fired_decision(START)
    with workspace.store.transaction() as conn:
        decisions.save(conn, decision)
        approvals.auto_approve(conn, decision, "UALICE", START)
        found = approvals.for_decision(conn, decision.id)
    assert found is not None
    return found


def _due(workspace: Workspace) -> list[lease.Due]:
    with workspace.store.transaction() as conn:
        return lease.due(conn, "churn", workspace.clock(), LEASE, STALE)


def test_a_dispatch_without_an_attempt_is_due_again_after_the_lease(tmp_path: Path) -> None:
    clock = Clock(START)
    workspace = mini_workspace(tmp_path, clock)
    approval = _approved(workspace)
    (first,) = _due(workspace)
    assert first.why is None
    with workspace.store.transaction() as conn:
        assert approvals.claim_dispatch(conn, first.approval, START)
        assert not approvals.claim_dispatch(conn, first.approval, START)  # one claim wins

    clock.now = START + LEASE - timedelta(seconds=1)
    assert _due(workspace) == []
    clock.now = START + LEASE + timedelta(seconds=1)
    (again,) = _due(workspace)

    assert again.approval.id == approval.id and again.why is not None
    assert "no attempt started within 10 min (slack.dispatch_lease)" in again.why  # one formatter
    assert again.resume_command == f"retrigger run --decision {approval.decision_id}"


def test_a_running_attempt_whose_runner_died_is_due_with_its_resume_command(tmp_path: Path) -> None:
    clock = Clock(START)
    workspace = mini_workspace(tmp_path, clock)
    approval = _approved(workspace)
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    with workspace.store.transaction() as conn:
        approvals.claim_dispatch(conn, approval, START)
        approvals.mark_executed(conn, approval.id, START + timedelta(seconds=5))
        attempts.start(
            conn,
            "t-1",
            approval.decision_id,
            "churn",
            START + timedelta(seconds=5),
            pid=dead.pid,
            hostname=host,
            requested_by="UALICE",
            approved_by="UBOB",
        )
        locks.insert(
            conn,
            locks.Holder(
                "churn", "t-1", approval.decision_id, dead.pid, host, None, None, START, START
            ),
        )
    clock.now = START + timedelta(seconds=30)

    (orphan,) = _due(workspace)

    assert f"pid {dead.pid} on {host}" in str(orphan.why) and "died" in str(orphan.why)
    with workspace.store.transaction() as conn:
        assert approvals.claim_dispatch(conn, orphan.approval, clock.now)
    assert _due(workspace) == []  # handed on again: the new runner is coming


def test_a_running_attempt_with_a_live_runner_is_not_due(tmp_path: Path) -> None:
    workspace = mini_workspace(tmp_path, Clock(START))
    approval = _approved(workspace)
    host, me = socket.gethostname(), os.getpid()
    with workspace.store.transaction() as conn:
        approvals.claim_dispatch(conn, approval, START)
        approvals.mark_executed(conn, approval.id, START + timedelta(seconds=1))
        attempts.start(
            conn,
            "t-1",
            approval.decision_id,
            "churn",
            START + timedelta(seconds=1),
            pid=me,
            hostname=host,
            requested_by=None,
            approved_by=None,
        )
        locks.insert(
            conn,
            locks.Holder(
                "churn",
                "t-1",
                approval.decision_id,
                me,
                host,
                start_time(me),
                None,
                START,
                START,
            ),
        )

    assert _due(workspace) == []


def test_force_with_a_reason_is_always_a_new_decision(tmp_path: Path) -> None:
    workspace = mini_workspace(tmp_path, Clock(START))
    firing = fired_decision(START)
    with workspace.store.transaction() as conn:
        decisions.save(conn, firing)  # fires and never finished: once silently resumed

    forced = choose(workspace, Request(force=True, reason="customer escalation"), "alice")

    assert forced.id != firing.id
    assert forced.reason == "customer escalation" and forced.requested_by == "alice"
    assert forced.trigger_types == ("manual",)
