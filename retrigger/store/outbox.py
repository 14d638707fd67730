"""The durable outbox: every message is written in the same transaction as the state change it
announces, then delivered (Slack, console). A downstream that is down delays delivery, never
loses it. The worker's queries (claim a channel's head with a lease, settle it) live here too;
``retrigger.notify.worker`` decides what to do with them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select, update

from retrigger.store.schema import outbox
from retrigger.store.times import aware

# Kinds of messages; renderers (console, Slack Block Kit) key on them.
TRIGGER_FIRED = "trigger_fired"
APPROVAL_REQUESTED = "approval_requested"
RETRAIN_STARTED = "retrain_started"
RETRAIN_SUCCEEDED = "retrain_succeeded"
RETRAIN_FAILED = "retrain_failed"
RETRAIN_REJECTED = "retrain_rejected"  # refused by validation
RETRAIN_BUSY = "retrain_busy"  # DVC was busy in the repository: postponed, not failed
RETRAIN_NOTHING_TO_TRAIN = "retrain_nothing_to_train"  # dvc repro ran no stage
RETRAIN_HELD = "retrain_held"  # a registered candidate, not promoted (numbers not comparable)
DATA_ARRIVAL = "data_arrival"
# Follow-ups about an approval: delivered as a thread reply AND an edit of the approval request
# message, whose Approve / Reject buttons they replace (retrigger.notify.worker).
APPROVAL_DECIDED = "approval_decided"
APPROVAL_EXPIRED = "approval_expired"
APPROVAL_STALE = "approval_stale"
EXECUTOR_PROGRESS = "executor_progress"  # the executor started / finished a retrain
REPLACES_REQUEST = frozenset({APPROVAL_DECIDED, APPROVAL_EXPIRED, APPROVAL_STALE})
# A fired decision that never ran, replaced by a newer one (``retrigger check``).
DECISION_SUPERSEDED = "decision_superseded"
# Ends of a decision: delivered as a thread reply AND an edit of the decision's first message
# (the alert), which then shows the outcome instead of a question nobody needs to answer.
CLOSES_DECISION = frozenset(
    {
        DECISION_SUPERSEDED,
        RETRAIN_SUCCEEDED,
        RETRAIN_REJECTED,
        RETRAIN_FAILED,
        RETRAIN_NOTHING_TO_TRAIN,
        RETRAIN_HELD,
    }
)
# A file (the drift PNG) uploaded into the decision's thread: payload path, title.
FILE_UPLOAD = "file_upload"

# Payload keys the renderers read (all optional; a missing key renders as "?"):
#   every kind: model, decision_id (also the thread_key, so one decision is one thread)
#   TRIGGER_FIRED: trigger_types, signals [{kind, value, threshold, fired, detail}],
#                  data_version, requested_by, reason
#   APPROVAL_REQUESTED: approval_id, trigger_types, requested_by, reason, expires_at, signals
#   RETRAIN_*: status, metric, metric_before, metric_after, run_id, version, error, repro
#     (what `dvc repro` ran and skipped, one line)
#   DATA_ARRIVAL: data_version, delta {rows_added, bytes_added, files_added, ...}
#   APPROVAL_DECIDED/EXPIRED/STALE: approval_id, status, decided_by, decided_at, reason
#   DECISION_SUPERSEDED: superseded_by, trigger_types (the newer decision's)
#   every kind may carry links {button label: url} (retrigger.notify.links)


def enqueue(
    conn: Connection,
    kind: str,
    payload: dict[str, Any],
    *,
    channel: str,
    now: datetime,
    thread_key: str | None = None,
) -> int:
    """Queue one message inside the caller's transaction; return its id."""
    result = conn.execute(
        outbox.insert().values(
            created_at=now,
            channel=channel,
            kind=kind,
            payload=payload,
            thread_key=thread_key,
            status="pending",
            attempts=0,
            next_attempt_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def backlog(conn: Connection) -> dict[str, Any]:
    """How much is waiting: pending count, the oldest, and when the next attempt is due."""
    row = conn.execute(
        select(
            func.count(), func.min(outbox.c.created_at), func.min(outbox.c.next_attempt_at)
        ).where(outbox.c.status == "pending")
    ).one()
    return {"pending": int(row[0]), "oldest": _iso(row[1]), "next_attempt_at": _iso(row[2])}


def dead_letters(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    """Messages that failed for good (bad token, unknown channel...), newest first."""
    rows = (
        conn.execute(
            select(
                outbox.c.id,
                outbox.c.created_at,
                outbox.c.channel,
                outbox.c.kind,
                outbox.c.attempts,
                outbox.c.last_error,
                outbox.c.payload,
            )
            .where(outbox.c.status == "dead")
            .order_by(outbox.c.id.desc())
            .limit(limit)
        )
        .mappings()
        .all()
    )
    # An approval request that died leaves its approval pending with nobody told: say which.
    return [
        {
            **{k: v for k, v in row.items() if k != "payload"},
            "created_at": _iso(row["created_at"]),
            "approval_id": (row["payload"] or {}).get("approval_id")
            if row["kind"] == APPROVAL_REQUESTED
            else None,
        }
        for row in rows
    ]


def requeue(conn: Connection, ids: list[int] | None, now: datetime) -> list[int]:
    """Dead letters (``ids``, or all when None) become pending again, due now, attempts reset."""
    query = select(outbox.c.id).where(outbox.c.status == "dead")
    if ids is not None:
        query = query.where(outbox.c.id.in_(ids))
    found = [int(i) for i in conn.execute(query.order_by(outbox.c.id)).scalars()]
    if found:
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(found), outbox.c.status == "dead")
            .values(status="pending", attempts=0, next_attempt_at=now, claimed_until=None)
        )
    return found


def pending_channels(conn: Connection) -> list[str]:
    return [
        str(c)
        for c in conn.execute(
            select(outbox.c.channel).where(outbox.c.status == "pending").distinct()
        ).scalars()
    ]


def next_due(conn: Connection) -> datetime | None:
    """When the earliest channel head may be tried; later rows wait behind their head."""
    heads = (
        select(func.min(outbox.c.id))
        .where(outbox.c.status == "pending")
        .group_by(outbox.c.channel)
        .scalar_subquery()
    )
    found = conn.execute(
        select(func.min(outbox.c.next_attempt_at)).where(outbox.c.id.in_(heads))
    ).scalar()
    return aware(found) if found is not None else None


def claim_head(
    conn: Connection, channel: str, now: datetime, until: datetime
) -> dict[str, Any] | None:
    """The channel's oldest pending message, leased to the caller until ``until``; None when it
    is not due yet or another worker holds its lease."""
    head = (
        conn.execute(
            select(outbox)
            .where(outbox.c.channel == channel, outbox.c.status == "pending")
            .order_by(outbox.c.id)
            .limit(1)
        )
        .mappings()
        .first()
    )
    if head is None or aware(head["next_attempt_at"]) > now:
        return None
    claimed = (
        conn.execute(
            update(outbox)
            .where(
                outbox.c.id == head["id"],
                outbox.c.status == "pending",
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
            )
            .values(claimed_until=until)
        ).rowcount
        == 1
    )
    return dict(head) if claimed else None


def thread_of(conn: Connection, row: dict[str, Any]) -> dict[str, Any] | None:
    """Where a message goes in its thread: the first delivered message of the thread (to reply
    under, and to edit when the decision ends) and the latest approval request (to edit when
    the approval is decided); each with its kind and payload, so an edit can redraw it."""
    if not row["thread_key"]:
        return None
    same = (
        outbox.c.thread_key == row["thread_key"],
        outbox.c.channel == row["channel"],
        outbox.c.status == "delivered",
    )
    refs = select(
        outbox.c.delivered_ref, outbox.c.delivered_channel, outbox.c.kind, outbox.c.payload
    )
    first = (
        conn.execute(
            # A file's ref is a file id, not a message ts: never a thread's parent.
            refs.where(*same, outbox.c.id < row["id"], outbox.c.kind != FILE_UPLOAD)
            .order_by(outbox.c.id)
            .limit(1)
        )
        .mappings()
        .first()
    )
    request = (
        conn.execute(
            refs.where(*same, outbox.c.kind == APPROVAL_REQUESTED)
            .order_by(outbox.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return {"first": dict(first) if first else None, "request": dict(request) if request else None}


def settle(
    conn: Connection,
    message_id: int,
    *,
    attempts: int,
    error: str | None,
    now: datetime,
    ref: tuple[str, str] | None = None,
    dead: bool = False,
    retry_at: datetime | None = None,
) -> None:
    """Release a claimed message: delivered (``ref``: channel id, message ts), dead, or due
    again at ``retry_at``."""
    values: dict[str, Any] = {"attempts": attempts, "claimed_until": None, "last_error": error}
    if ref is not None:
        values.update(
            status="delivered", delivered_at=now, delivered_channel=ref[0], delivered_ref=ref[1]
        )
    elif dead:
        values.update(status="dead")
    else:
        values.update(next_attempt_at=retry_at)
    conn.execute(update(outbox).where(outbox.c.id == message_id).values(**values))


def _iso(value: datetime | None) -> str | None:
    return aware(value).isoformat() if value is not None else None
