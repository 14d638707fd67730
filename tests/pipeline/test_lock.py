"""The retrain lock on SQLite and PostgreSQL: held, refused, reclaimed from the dead."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrigger.errors import LockHeld
from retrigger.pipeline import lock
from retrigger.proc import start_time
from retrigger.store import Store, attempts

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
STALE = timedelta(minutes=10)


def _no_reclaim(_conn: object, _dead: lock.Holder) -> None:
    raise AssertionError("nothing to reclaim")


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_live_holder_refuses_a_second_runner_naming_itself(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url, tmp_path)
    me = lock.Me.current()
    lock.acquire(store, "churn", "t-1", "d-1", me, NOW, STALE, _no_reclaim)

    with pytest.raises(LockHeld) as caught:
        lock.acquire(store, "churn", "t-2", "d-2", me, NOW, STALE, _no_reclaim)

    assert f"pid {me.pid} on {me.hostname} since 2026-03-15T02:00:00" in str(caught.value)
    lock.release(store, "churn", "t-1")
    assert lock.acquire(store, "churn", "t-2", "d-2", me, NOW, STALE, _no_reclaim) is None


def test_a_dead_holders_lock_is_reclaimed_and_its_attempt_interrupted(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url, tmp_path)
    ghost = lock.Me(dead_pid(), lock.Me.current().hostname, None)
    with store.transaction() as conn:
        attempts.start(
            conn,
            "t-1",
            "d-1",
            "churn",
            NOW,
            pid=ghost.pid,
            hostname=ghost.hostname,
            requested_by="ci",
            approved_by=None,
        )
        attempts.step_started(conn, "t-1", "repro", NOW)
    lock.acquire(store, "churn", "t-1", "d-1", ghost, NOW, STALE, _no_reclaim)

    def reclaim(conn: object, dead: lock.Holder) -> None:
        attempts.mark_interrupted(conn, dead.attempt_id, NOW, "runner died")  # type: ignore[arg-type]

    dead = lock.acquire(store, "churn", "t-2", "d-1", lock.Me.current(), NOW, STALE, reclaim)

    assert dead is not None and dead.pid == ghost.pid
    with store.transaction() as conn:
        (attempt,) = attempts.for_decision(conn, "d-1")
    assert (attempt.status, attempt.stopped_at) == ("interrupted", "repro")
    assert attempt.steps[0].status == "interrupted"
    assert lock.holder(store, "churn").attempt_id == "t-2"  # type: ignore[union-attr]


def test_another_hosts_lock_is_trusted_until_its_heartbeat_is_stale(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url, tmp_path)
    remote = lock.Me(1, "other-host", None)
    lock.acquire(store, "churn", "t-1", "d-1", remote, NOW, STALE, _no_reclaim)
    me = lock.Me.current()

    with pytest.raises(LockHeld):
        lock.acquire(store, "churn", "t-2", "d-2", me, NOW + STALE / 2, STALE, _no_reclaim)
    dead = lock.acquire(
        store, "churn", "t-2", "d-2", me, NOW + STALE * 2, STALE, lambda _c, _d: None
    )
    assert dead is not None and dead.hostname == "other-host"


def test_a_killed_runner_left_a_zombie_is_dead_and_its_lock_reclaimed(
    store_url: str, tmp_path: Path
) -> None:
    """Where PID 1 reaps nothing (containers), a killed runner whose parent died stays a zombie
    that `kill -0` still finds: it holds nothing."""
    import os
    import signal
    import time

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child never became a zombie"
            time.sleep(0.01)
        os.kill(child.pid, 0)  # still "there" for kill -0: the case this test is about
        store = Store.open(store_url, tmp_path)
        zombie = lock.Me(child.pid, lock.Me.current().hostname, start_time(child.pid))
        lock.acquire(store, "churn", "t-1", "d-1", zombie, NOW, STALE, _no_reclaim)

        dead = lock.acquire(
            store, "churn", "t-2", "d-2", lock.Me.current(), NOW, STALE, lambda _c, _d: None
        )

        assert dead is not None and dead.pid == child.pid
    finally:
        child.wait()  # reaped only now
