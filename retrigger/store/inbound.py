"""Inbound Slack requests already handled, so a replay or a retry changes nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite

from retrigger.store.schema import inbound


def first_time(conn: Connection, key: str, now: datetime) -> bool:
    """Remember ``key``; false when it was already there.

    INSERT … ON CONFLICT DO NOTHING in both dialects: a key already there inserts no row,
    and no savepoint is needed around a unique violation (two statements fewer on the path
    of every event the server answers)."""
    values = {"key": key[:128], "at": now}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(inbound).values(values).on_conflict_do_nothing()
    return bool(conn.execute(insert).rowcount)


def forget_before(conn: Connection, cutoff: datetime) -> None:
    """Drop the keys handled before ``cutoff``."""
    conn.execute(delete(inbound).where(inbound.c.at < cutoff))
