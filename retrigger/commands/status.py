"""``retrigger status``: the retrain holding the lock, pending approvals, approved retrains
not started, the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from retrigger.approvals import lease
from retrigger.pipeline import lock
from retrigger.proc import alive
from retrigger.store import approvals, outbox
from retrigger.workspace import Workspace


def status(workspace: Workspace) -> dict[str, Any]:
    """Pending approvals, the outbox backlog and the dead letters, as one JSON document."""
    now, config = workspace.clock(), workspace.config
    with workspace.store.transaction() as conn:
        pending = approvals.listing(conn, status=approvals.PENDING)
        due = lease.due(
            conn, config.model.name, now, timedelta(0), config.pipeline.lock_stale_after
        )
        backlog = outbox.backlog(conn)
        dead = outbox.dead_letters(conn)
    undelivered = {d["approval_id"]: d["id"] for d in dead if d.get("approval_id")}
    holder = lock.holder(workspace.store, config.model.name)
    return {
        "retrain": _retrain(holder, now, config.pipeline.lock_stale_after),
        "pending_approvals": [
            {**_approval(a, now > a.expires_at), "undelivered": undelivered.get(a.id)}
            for a in pending
        ],
        "approved_not_started": [_due(item, config.slack.dispatch_lease, now) for item in due],
        "outbox": {**backlog, "oldest_age_s": _age(backlog["oldest"], now)},
        "dead_letters": dead,
    }


def _retrain(holder: lock.Holder | None, now: datetime, stale_after: timedelta) -> Any:
    """The retrain holding the model's lock, whatever its approval policy: a runner killed
    mid-run shows here (``runner: dead``), with what became of its pipeline."""
    if holder is None:
        return None
    me = lock.Me.current()
    runner = "alive" if lock.holder_alive(holder, me, now, stale_after) else "dead"
    pipeline = (
        "unknown"  # another host's process, or no step started yet: nothing to look at here
        if holder.child_pid is None or holder.hostname != me.hostname
        else "running"
        if alive(holder.child_pid)
        else "stopped"
    )
    return {
        "decision_id": holder.decision_id,
        "attempt_id": holder.attempt_id,
        "pid": holder.pid,
        "hostname": holder.hostname,
        "since": holder.acquired_at.isoformat(),
        "runner": runner,
        "pipeline": pipeline,
        "resume": f"retrigger run --decision {holder.decision_id}" if runner == "dead" else None,
    }


def _due(item: lease.Due, lease_for: timedelta, now: datetime) -> dict[str, Any]:
    a = item.approval
    running = a.executed_at is not None  # its runner died; else handed on or waiting
    state = (
        "running with a dead runner"
        if running
        else "waiting for a runner"
        if a.dispatched_at is None
        else "dispatched, not started"
        if now - a.dispatched_at < lease_for
        else "dispatched, lease ran out"
    )
    return {
        **_approval(a, False),
        "state": state,
        "why": item.why,
        "dispatched_at": a.dispatched_at.isoformat() if a.dispatched_at else None,
        "resume": item.resume_command,
    }


def _age(oldest: str | None, now: datetime) -> float | None:
    return (
        None if oldest is None else round((now - datetime.fromisoformat(oldest)).total_seconds(), 1)
    )


def _approval(a: approvals.Approval, overdue: bool) -> dict[str, Any]:
    return {
        "approval_id": a.id,
        "decision_id": a.decision_id,
        "model": a.model,
        "status": a.status,
        "requested_by": a.requested_by,
        "requested_at": a.requested_at.isoformat(),
        "expires_at": a.expires_at.isoformat(),
        "overdue": overdue,
        "decided_by": a.decided_by,
    }
