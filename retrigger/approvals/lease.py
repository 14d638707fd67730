"""Approved means it runs: a dispatch is a lease, not a flag.

An approved decision is due when nobody took it yet, when it was handed to an executor more
than ``slack.dispatch_lease`` ago and no attempt started (the bot or its child died in
between), or when its attempt is ``running`` but its runner is dead (same host: pid gone;
other host: heartbeat older than ``pipeline.lock_stale_after`` — the lock's own rule). The bot's
loop and ``retrigger run --approved`` both pick due work up; it still runs once, because the
dispatch is a compare-and-set claim and the retrain lock plus the decision's finished attempts
stop a second run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from retrigger.lineage.status import FINAL, RetrainStatus
from retrigger.pipeline.lock import Me, holder_alive
from retrigger.store import Connection, approvals, attempts, locks
from retrigger.store.approvals import Approval
from retrigger.units.format import duration

# How far back a started retrain is checked for a dead runner.
RESUME_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Due:
    """An approved retrain to hand on; ``why`` says why it is handed on again (None: first)."""

    approval: Approval
    why: str | None = None

    @property
    def resume_command(self) -> str:
        return f"retrigger run --decision {self.approval.decision_id}"


def due(
    conn: Connection, model: str, now: datetime, lease: timedelta, stale_after: timedelta
) -> list[Due]:
    found = [
        Due(a, _lapsed(a, lease))
        for a in approvals.ready_to_dispatch(conn, model, lease_before=now - lease)
    ]
    return found + orphaned(conn, model, now, stale_after)


def orphaned(
    conn: Connection, model: str | None, now: datetime, stale_after: timedelta
) -> list[Due]:
    """Approved retrains whose attempt is still ``running`` although its runner is dead."""
    found = []
    for approval in approvals.executed_since(conn, model, now - RESUME_WINDOW):
        tried = attempts.for_decision(conn, approval.decision_id)
        if not tried or any(a.status in FINAL for a in tried):
            continue
        last = tried[-1]
        if last.status != RetrainStatus.RUNNING:
            continue  # failed, busy or interrupted by a person: resumed on purpose only
        if approval.dispatched_at is not None and approval.dispatched_at > last.started_at:
            continue  # handed on again since that attempt started: the new runner is coming
        why = _dead_runner(conn, approval.model, last, now, stale_after)
        if why is not None:
            found.append(Due(approval, why))
    return found


def _dead_runner(
    conn: Connection, model: str, attempt: attempts.Attempt, now: datetime, stale_after: timedelta
) -> str | None:
    holder = locks.get(conn, model)
    where = f"pid {attempt.pid} on {attempt.hostname}"
    if holder is None or holder.attempt_id != attempt.id:
        return f"attempt {attempt.id} is running but its runner ({where}) holds no lock"
    if holder_alive(holder, Me.current(), now, stale_after):
        return None
    return f"the runner of attempt {attempt.id} ({where}) died"


def _lapsed(approval: Approval, lease: timedelta) -> str | None:
    if approval.dispatched_at is None:
        return None
    return (
        f"handed to the executor at {approval.dispatched_at:%H:%M:%S} UTC but no attempt "
        f"started within {duration(lease)} (slack.dispatch_lease)"
    )
