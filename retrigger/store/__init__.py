"""The state store, and all of retrigger's SQL: one module per table (decisions, approvals,
attempts, locks, outbox, arrivals, inbound, audit).

Other rooms annotate with ``retrigger.store.Connection`` and never import sqlalchemy.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from retrigger.store.db import make_engine, reachable
from retrigger.store.schema import upgrade

__all__ = ["Connection", "Store", "close_all"]

# Every store this process opened and has not closed: a command closes them when it ends (see
# close_all), so an in-process caller does not leave a connection for the garbage collector.
_open: weakref.WeakSet[Store] = weakref.WeakSet()


class Store:
    """One state database. Open it with ``Store.open(url, root)``; it upgrades its schema."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        _open.add(self)

    @classmethod
    def open(cls, url: str, root: Path) -> Store:
        store = cls(make_engine(url, root), url)
        with store.transaction() as conn:
            if conn.dialect.name == "postgresql":
                # Two processes upgrading at once would both try to CREATE TABLE.
                conn.execute(text("SELECT pg_advisory_xact_lock(727274)"))
            upgrade(conn)
        return store

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite); commits on success."""
        with reachable(self.url, self.engine.url.database), self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()
        _open.discard(self)


def close_all() -> None:
    """Close every store still open. SQLite checkpoints its WAL into the database when the last
    connection closes: a command run in-process (the bot, a test) that left its connection to the
    collector would have that write happen later, in the middle of whatever runs next (a backtest
    that must leave the store untouched saw the WAL fold in under it)."""
    for store in list(_open):
        store.close()
