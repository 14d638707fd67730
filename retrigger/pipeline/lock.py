"""One retrain per model at a time: a lock row in the state store that survives crashes.

The holder records its pid, host and process start time. A later runner reclaims the lock when
the holder is provably gone: on the same host its pid is dead (or now belongs to another
process); from another host its heartbeat is older than ``pipeline.lock_stale_after``. The
reclaimed attempt is marked ``interrupted`` in the same transaction, and the step it left
running (its process group) is stopped.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from retrigger.errors import LockHeld
from retrigger.proc import alive, start_time
from retrigger.store import Connection, Store, locks
from retrigger.store.audit import record
from retrigger.store.locks import Holder as Holder  # re-exported: callers type lock.Holder
from retrigger.store.locks import LockTaken


@dataclass(frozen=True)
class Me:
    """This process, as a lock holder."""

    pid: int
    hostname: str
    proc_start: str | None

    @classmethod
    def current(cls) -> Me:
        return cls(os.getpid(), socket.gethostname(), start_time(os.getpid()))


def holder_alive(holder: Holder, me: Me, now: datetime, stale_after: timedelta) -> bool:
    if holder.hostname != me.hostname:
        return now - holder.heartbeat_at < stale_after
    if not alive(holder.pid):
        return False
    start = start_time(holder.pid)
    return holder.proc_start is None or start is None or start == holder.proc_start


def acquire(
    store: Store,
    model: str,
    attempt_id: str,
    decision_id: str,
    me: Me,
    now: datetime,
    stale_after: timedelta,
    on_reclaim: Callable[[Connection, Holder], None],
) -> Holder | None:
    """Take the lock of ``model`` for ``attempt_id``; return the dead holder it replaced.

    ``LockHeld`` when a live process holds it. ``on_reclaim`` runs inside the transaction that
    takes a dead holder's lock (to mark its attempt interrupted).
    """
    for _ in range(2):  # PostgreSQL: two inserts racing; the loser reads the winner and retries
        try:
            with store.transaction() as conn:
                current = locks.get(conn, model)
                if current is not None:
                    if holder_alive(current, me, now, stale_after):
                        raise LockHeld(_held_message(current))
                    _reclaim(conn, current, me, now, on_reclaim)
                locks.insert(
                    conn,
                    Holder(
                        model=model,
                        attempt_id=attempt_id,
                        decision_id=decision_id,
                        pid=me.pid,
                        hostname=me.hostname,
                        proc_start=me.proc_start,
                        child_pid=None,
                        acquired_at=now,
                        heartbeat_at=now,
                    ),
                )
                return current
        except LockTaken:
            continue
    raise LockHeld(
        f"another retrain of model {model!r} took the lock at the same moment; it is running now"
    )


def _reclaim(
    conn: Connection,
    dead: Holder,
    me: Me,
    now: datetime,
    on_reclaim: Callable[[Connection, Holder], None],
) -> None:
    """Remove a dead holder's lock, in the transaction that takes it, and audit who did."""
    locks.remove(conn, dead.model, dead.attempt_id)
    on_reclaim(conn, dead)
    record(
        conn,
        action="lock.reclaimed",
        subject=dead.decision_id,
        actor=f"pid {me.pid}@{me.hostname}",
        now=now,
        detail={"attempt_id": dead.attempt_id, "pid": dead.pid, "hostname": dead.hostname},
    )


def release(store: Store, model: str, attempt_id: str) -> None:
    with store.transaction() as conn:
        locks.remove(conn, model, attempt_id)


def set_child(store: Store, model: str, attempt_id: str, child_pid: int | None) -> None:
    with store.transaction() as conn:
        locks.set_child(conn, model, attempt_id, child_pid)


def holder(store: Store, model: str) -> Holder | None:
    with store.transaction() as conn:
        return locks.get(conn, model)


class Heartbeat:
    """Refresh the lock's heartbeat every ``interval`` on a daemon thread, so runners on other
    hosts can tell a long ``dvc repro`` from a dead one."""

    def __init__(
        self,
        store: Store,
        model: str,
        attempt_id: str,
        interval: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._stop = threading.Event()
        self._args = (store, model, attempt_id, max(interval.total_seconds(), 0.5), clock)
        self._thread = threading.Thread(target=self._run, name="retrigger-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        store, model, attempt_id, seconds, clock = self._args
        while not self._stop.wait(seconds):
            # A missed beat is harmless (the next one comes); never kill the retrain over it.
            with contextlib.suppress(Exception), store.transaction() as conn:
                locks.beat(conn, model, attempt_id, clock())


def _held_message(current: Holder) -> str:
    return (
        f"another retrain of model {current.model!r} holds the lock: pid {current.pid} on "
        f"{current.hostname} since {current.acquired_at.isoformat(timespec='seconds')} "
        f"(decision {current.decision_id}, attempt {current.attempt_id}); wait for it to "
        "finish (a lock left by a dead process is reclaimed automatically)"
    )
