"""Group commit of the bot's SQLite writes: each body alone, all durable before returning."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text

from retrigger.store import Store
from retrigger.store.serial import SerialStore


def _store(tmp_path: Path) -> tuple[Store, Path]:
    db = tmp_path / "state.db"
    store = Store.open(f"sqlite:///{db}", tmp_path)
    with store.transaction() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    return store, db


def _visible(db: Path, n: int) -> bool:
    with sqlite3.connect(db) as conn:  # another connection: only committed rows
        return bool(conn.execute("SELECT count(*) FROM t WHERE n = ?", (n,)).fetchone()[0] == 1)


def test_concurrent_bodies_are_committed_together_and_durable_on_return(tmp_path: Path) -> None:
    store, db = _store(tmp_path)
    serial = SerialStore(store)
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda conn: commits.append(1))
    seen: dict[int, bool] = {}
    start = threading.Barrier(40)

    def write(n: int) -> None:
        start.wait(timeout=10)
        with serial.transaction() as conn:
            conn.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        seen[n] = _visible(db, n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert seen == {n: True for n in range(40)}
    assert len(commits) < 40  # grouped: fewer commits (fsyncs) than transactions


def test_a_failing_body_rolls_back_alone(tmp_path: Path) -> None:
    store, db = _store(tmp_path)
    serial = SerialStore(store)

    with serial.transaction() as conn:
        conn.execute(text("INSERT INTO t (n) VALUES (1)"))
    with pytest.raises(RuntimeError), serial.transaction() as conn:
        conn.execute(text("INSERT INTO t (n) VALUES (2)"))
        raise RuntimeError("the body failed")
    with serial.transaction() as conn:
        conn.execute(text("INSERT INTO t (n) VALUES (3)"))

    assert [_visible(db, n) for n in (1, 2, 3)] == [True, False, True]


def test_normal_synchronous_applies_to_its_own_commits_only(tmp_path: Path) -> None:
    """`retrigger serve` commits without waiting for the WAL's fsync (synchronous=NORMAL);
    the pooled connection goes back with SQLite's FULL, for every other writer."""
    store, _db = _store(tmp_path)
    serial = SerialStore(store, "NORMAL")

    with serial.transaction() as conn:
        conn.execute(text("INSERT INTO t (n) VALUES (1)"))
        inside = conn.execute(text("PRAGMA synchronous")).scalar()
        inside_checkpoint = conn.execute(text("PRAGMA wal_autocheckpoint")).scalar()
    with store.transaction() as conn:
        after = conn.execute(text("PRAGMA synchronous")).scalar()
        after_checkpoint = conn.execute(text("PRAGMA wal_autocheckpoint")).scalar()

    assert (inside, after) == (1, 2)  # 1 NORMAL, 2 FULL
    assert (inside_checkpoint, after_checkpoint) == (0, 1000)  # SQLite's default, back


def test_with_normal_synchronous_a_thread_checkpoints_what_was_committed(tmp_path: Path) -> None:
    """Off the commit path, but done: the row reaches the database file itself (read while
    ignoring the WAL), with no other connection checkpointing."""
    store, db = _store(tmp_path)
    with sqlite3.connect(db) as other:  # the table itself in the file, before the writes
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    serial = SerialStore(store, "NORMAL")

    with serial.transaction() as conn:
        conn.execute(text("INSERT INTO t (n) VALUES (7)"))

    def in_file() -> bool:
        with sqlite3.connect(f"file:{db}?immutable=1", uri=True) as file:
            return bool(file.execute("SELECT count(*) FROM t").fetchone()[0] == 1)

    done = threading.Event()
    for _ in range(200):  # the checkpoint runs when the thread gets to it
        if in_file():
            break
        done.wait(0.05)
    assert in_file()
