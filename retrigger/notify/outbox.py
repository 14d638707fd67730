"""The durable outbox: every message is written in the same transaction as the state change it
announces, then delivered (Slack, console). A downstream that is down delays delivery, never
loses it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retrigger.store.schema import outbox

# Kinds of messages; renderers (console, Slack Block Kit) key on them.
TRIGGER_FIRED = "trigger_fired"
APPROVAL_REQUESTED = "approval_requested"
RETRAIN_STARTED = "retrain_started"
RETRAIN_SUCCEEDED = "retrain_succeeded"
RETRAIN_FAILED = "retrain_failed"
RETRAIN_REJECTED = "retrain_rejected"  # refused by validation
DATA_ARRIVAL = "data_arrival"


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
