"""One process's write transactions on SQLite: queued in turn, committed in groups.

SQLite lets one writer in; the others wait in its busy handler, which polls with sleeps of up
to 100 ms, and every commit costs an fsync. Under a burst of Slack requests the polling and the
fsyncs, not the work, set the ack latency. So the bot's threads queue on a Python lock and run
their transaction bodies one after the other inside one open SQLite transaction, each in its
own SAVEPOINT (a failing body rolls back alone); the last thread in the queue commits for all
(group commit), and every thread returns only once the commit that holds its work is durable.
PostgreSQL keeps its row-level concurrency: transactions go straight to the store.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, Protocol

from sqlalchemy import Connection

from retrigger.store import Store
from retrigger.store.db import reachable

MAX_GROUP = 32  # commit at least this often, however long the queue
AUTOCHECKPOINT = 1000  # SQLite's default pages, restored on connections that go back to the pool
CHECKPOINT_EVERY_S = 0.2  # at most this often under a stream of commits
# FULL: every commit waits for the WAL's fsync. NORMAL (WAL mode): a commit survives the
# process's crash but may roll back after a power loss or an OS crash; see docs/events.md.
Synchronous = Literal["FULL", "NORMAL"]


class Transactional(Protocol):
    def transaction(self) -> contextlib.AbstractContextManager[Connection]: ...


class _Group:
    """One SQLite transaction shared by several bodies; ``done`` is set once it committed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.size = 0
        self.done = threading.Event()
        self.error: BaseException | None = None


class SerialStore:
    def __init__(self, store: Store, synchronous: Synchronous = "FULL") -> None:
        self.store = store
        self._grouped = store.engine.dialect.name == "sqlite"
        self._synchronous = synchronous
        self._lock = threading.Lock()
        self._waiting = 0  # threads queued for the lock (guarded by _count)
        self._count = threading.Lock()
        self._group: _Group | None = None
        # With NORMAL, SQLite's checkpoints (the WAL copied into the database, and its fsync)
        # leave the commit path: a commit that crossed the WAL's 1,000 pages ran one, 8–26 ms
        # under every answer of its group, measured (docs/events.md). A thread runs them.
        self._checkpoints = _Checkpoints(store) if synchronous == "NORMAL" else None
        self._kept: Connection | None = None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        if not self._grouped:
            with self.store.transaction() as conn:
                yield conn
            return
        with self._count:
            self._waiting += 1
        with self._lock:
            with self._count:
                self._waiting -= 1
            group = self._open()
            group.size += 1
            # The savepoint on the driver's connection, as SQL: SQLAlchemy's nested transaction
            # costs ≈ 0.1 ms of CPU around every event the server answers (docs/events.md).
            driver = group.conn.connection.dbapi_connection
            assert driver is not None
            name = f"body_{group.size}"
            driver.execute(f"SAVEPOINT {name}")
            try:
                yield group.conn
            except BaseException:
                driver.execute(f"ROLLBACK TO {name}")
                driver.execute(f"RELEASE {name}")
                raise
            else:
                driver.execute(f"RELEASE {name}")
            finally:
                # The last body in the queue commits the group; so does a long queue, now and
                # then, so that nobody's ack waits behind an endless stream of others.
                with self._count:
                    last = self._waiting == 0
                if last or group.size >= MAX_GROUP:
                    self._commit(group)
        group.done.wait()
        if group.error is not None:
            raise group.error

    def _open(self) -> _Group:
        if self._group is None:
            conn = self._kept or self.store.engine.connect()
            try:
                with reachable(self.store.url):
                    if conn is not self._kept:
                        _pragma(conn, f"synchronous={self._synchronous}")
                        if self._checkpoints is not None:
                            _pragma(conn, "wal_autocheckpoint=0")
                    conn.begin()
            except BaseException:
                self._kept = None  # a busy or broken database: the next group connects anew
                with contextlib.suppress(Exception):
                    conn.close()
                raise
            # NORMAL (`retrigger serve`, a worker process that only serves): the connection is
            # kept from group to group, its settings made once; checking it out, setting and
            # restoring them cost as much CPU as an event's own statements (docs/events.md).
            self._kept = conn if self._checkpoints is not None else None
            self._group = _Group(conn)
        return self._group

    def _commit(self, group: _Group) -> None:
        self._group = None
        try:
            with reachable(self.store.url):
                group.conn.commit()
        except BaseException as exc:  # every body of the group learns that it was not stored
            group.error = exc
            self._kept = None  # the next group starts from a new connection
            with contextlib.suppress(Exception):
                group.conn.rollback()
        finally:
            if group.conn is not self._kept:
                with contextlib.suppress(Exception):  # the pooled connection goes back as it came
                    _pragma(group.conn, "synchronous=FULL")
                    _pragma(group.conn, f"wal_autocheckpoint={AUTOCHECKPOINT}")
                group.conn.close()
            group.done.set()
            if self._checkpoints is not None:
                self._checkpoints.due()


class _Checkpoints:
    """Checkpoints of the WAL in a thread of their own, a passive one after each burst of
    commits: it copies what no reader still needs and blocks no writer. The committing
    connections turn SQLite's automatic checkpoint off; any other connection (the CLI, a check
    the server runs) keeps it, so the WAL never grows unchecked when this process is gone."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._due = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def due(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:  # started in the process that commits (after a fork)
                    self._thread = threading.Thread(
                        target=self._run, name="retrigger-checkpoints", daemon=True
                    )
                    self._thread.start()
        self._due.set()

    def _run(self) -> None:
        raw = self.store.engine.raw_connection()  # outside SQLAlchemy: no BEGIN around it
        while True:
            self._due.wait()
            self._due.clear()
            with contextlib.suppress(Exception):  # a failed one is retried by the next burst
                raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
            threading.Event().wait(CHECKPOINT_EVERY_S)


def _pragma(conn: Connection, setting: str) -> None:
    """A PRAGMA outside any transaction (SQLite refuses to change ``synchronous`` inside one):
    on the driver's connection, which SQLAlchemy's autobegin does not wrap."""
    conn.connection.driver_connection.execute(f"PRAGMA {setting}")  # type: ignore[union-attr]
