"""Inbound Slack requests already handled, so a replay or a retry changes nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete
from sqlalchemy.exc import IntegrityError

from retrigger.store.schema import inbound


def first_time(conn: Connection, key: str, now: datetime) -> bool:
    """Remember ``key``; false when it was already there (a savepoint keeps the transaction)."""
    try:
        with conn.begin_nested():
            conn.execute(inbound.insert().values(key=key[:128], at=now))
    except IntegrityError:
        return False
    return True


def forget_before(conn: Connection, cutoff: datetime) -> None:
    """Drop the keys handled before ``cutoff``."""
    conn.execute(delete(inbound).where(inbound.c.at < cutoff))
