"""Inbound requests already handled, so a replay or a retry changes nothing twice: Slack's
(``command:…``), events' delivery ids (``event:<source>:…``) and objects (``object:…``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Executable

from retrigger.store.compiled import Compiled
from retrigger.store.schema import inbound


def _remember(dialect: str) -> Executable:
    """INSERT … ON CONFLICT DO NOTHING in both dialects: a key already there inserts no row,
    and no savepoint is needed around a unique violation."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(inbound)
    return insert.values(key=bindparam("key"), at=bindparam("at")).on_conflict_do_nothing()


_REMEMBER = Compiled(_remember)  # on the path of every event the server answers


def first_time(conn: Connection, key: str, now: datetime) -> bool:
    """Remember ``key``; false when it was already there."""
    return bool(_REMEMBER.run(conn, key=key[:128], at=now))


def forget_before(conn: Connection, cutoff: datetime, prefix: str) -> None:
    """Drop the keys starting with ``prefix`` handled before ``cutoff`` (each kind of key is
    kept as long as its sender may send it again)."""
    conn.execute(delete(inbound).where(inbound.c.at < cutoff, inbound.c.key.startswith(prefix)))
