"""Inbound requests already handled, so a replay or a retry changes nothing twice: Slack's
(``command:…``), events' delivery ids (``event:<source>:…``) and objects (``object:…``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import UpdateBase

from retrigger.store.compiled import Compiled
from retrigger.store.schema import inbound


def _remember(dialect: str) -> UpdateBase:
    """INSERT … ON CONFLICT DO NOTHING in both dialects: a key already there inserts no row,
    and no savepoint is needed around a unique violation."""
    values: dict[str, Any] = {"key": bindparam("key"), "at": bindparam("at")}
    if dialect == "postgresql":
        return postgresql.insert(inbound).values(values).on_conflict_do_nothing()
    return sqlite.insert(inbound).values(values).on_conflict_do_nothing()


_REMEMBER = Compiled(_remember)  # on the path of every event the server answers


def first_time(conn: Connection, key: str, now: datetime) -> bool:
    """Remember ``key``; false when it was already there."""
    return bool(_REMEMBER.run(conn, key=key[:128], at=now))


def forget_before(conn: Connection, cutoff: datetime, prefix: str) -> None:
    """Drop the keys starting with ``prefix`` handled before ``cutoff`` (each kind of key is
    kept as long as its sender may send it again)."""
    conn.execute(delete(inbound).where(inbound.c.at < cutoff, inbound.c.key.startswith(prefix)))
