"""The state store, and all of retrigger's SQL: one module per table (decisions, approvals,
attempts, locks, outbox, arrivals, inbound, audit).

Other rooms annotate with ``retrigger.store.Connection`` and never import sqlalchemy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from retrigger.store.db import make_engine, reachable
from retrigger.store.schema import upgrade

__all__ = ["Connection", "Store"]


class Store:
    """One state database. Open it with ``Store.open(url, root)``; it upgrades its schema."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

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
