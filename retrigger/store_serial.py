"""One process's write transactions, one at a time when the store is SQLite.

SQLite lets one writer in; the others wait in its busy handler, which polls with sleeps of up
to 100 ms. Under a burst of Slack requests that polling, not the work, dominates the ack
latency, so threads of the bot queue on a Python lock instead and enter SQLite in turn.
PostgreSQL keeps its row-level concurrency (no lock).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Connection

from retrigger.store import Store


class Transactional(Protocol):
    def transaction(self) -> contextlib.AbstractContextManager[Connection]: ...


class SerialStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        sqlite = store.engine.dialect.name == "sqlite"
        self._lock: threading.Lock | None = threading.Lock() if sqlite else None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self._lock or contextlib.nullcontext(), self.store.transaction() as conn:
            yield conn
