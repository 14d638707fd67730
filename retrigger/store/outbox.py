"""The durable outbox: every message is written in the same transaction as the state change it
announces, then delivered (Slack, console). A downstream that is down delays delivery, never
loses it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from retrigger.store.schema import outbox

# Kinds of messages; renderers (console, Slack Block Kit) key on them.
TRIGGER_FIRED = "trigger_fired"
APPROVAL_REQUESTED = "approval_requested"
RETRAIN_STARTED = "retrain_started"
RETRAIN_SUCCEEDED = "retrain_succeeded"
RETRAIN_FAILED = "retrain_failed"
RETRAIN_REJECTED = "retrain_rejected"  # refused by validation
DATA_ARRIVAL = "data_arrival"
# Follow-ups about an approval: delivered as a thread reply AND an edit of the approval request
# message, whose Approve / Reject buttons they replace (retrigger.notify.worker).
APPROVAL_DECIDED = "approval_decided"
APPROVAL_EXPIRED = "approval_expired"
APPROVAL_STALE = "approval_stale"
EXECUTOR_PROGRESS = "executor_progress"  # the executor started / finished a retrain
REPLACES_REQUEST = frozenset({APPROVAL_DECIDED, APPROVAL_EXPIRED, APPROVAL_STALE})

# Payload keys the renderers read (all optional; a missing key renders as "?"):
#   every kind: model, decision_id (also the thread_key, so one decision is one thread)
#   TRIGGER_FIRED: trigger_types, signals [{kind, value, threshold, fired, detail}],
#                  data_version, requested_by, reason
#   APPROVAL_REQUESTED: approval_id, trigger_types, requested_by, reason, expires_at, signals
#   RETRAIN_*: status, metric, metric_before, metric_after, run_id, version, error
#   DATA_ARRIVAL: data_version, delta {rows_added, bytes_added, files_added, ...}
#   APPROVAL_DECIDED/EXPIRED/STALE: approval_id, status, decided_by, decided_at, reason


def enqueue(conn: Connection, kind: str, payload: dict[str, Any], *, channel: str,
            now: datetime, thread_key: str | None = None) -> int:
    """Queue one message inside the caller's transaction; return its id."""
    result = conn.execute(outbox.insert().values(
        created_at=now, channel=channel, kind=kind, payload=payload, thread_key=thread_key,
        status="pending", attempts=0, next_attempt_at=now,
    ))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def backlog(conn: Connection) -> dict[str, Any]:
    """How much is waiting: pending count, the oldest, and when the next attempt is due."""
    row = conn.execute(select(func.count(), func.min(outbox.c.created_at),
                              func.min(outbox.c.next_attempt_at))
                       .where(outbox.c.status == "pending")).one()
    return {"pending": int(row[0]), "oldest": _iso(row[1]), "next_attempt_at": _iso(row[2])}


def dead_letters(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    """Messages that failed for good (bad token, unknown channel...), newest first."""
    rows = conn.execute(select(outbox.c.id, outbox.c.created_at, outbox.c.channel,
                               outbox.c.kind, outbox.c.attempts, outbox.c.last_error)
                        .where(outbox.c.status == "dead")
                        .order_by(outbox.c.id.desc()).limit(limit)).mappings().all()
    return [{**dict(row), "created_at": _iso(row["created_at"])} for row in rows]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
