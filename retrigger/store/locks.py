"""Retrain locks: one row per model while a retrain runs (``retrigger.pipeline.lock`` decides
whether its holder is still alive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from retrigger.store.schema import retrain_locks
from retrigger.store.times import aware_values


class LockTaken(Exception):
    """Another process inserted the model's lock row first; its transaction is lost."""


@dataclass(frozen=True)
class Holder:
    model: str
    attempt_id: str
    decision_id: str
    pid: int
    hostname: str
    proc_start: str | None
    child_pid: int | None
    acquired_at: datetime
    heartbeat_at: datetime


def get(conn: Connection, model: str) -> Holder | None:
    row = (
        conn.execute(select(retrain_locks).where(retrain_locks.c.model == model)).mappings().first()
    )
    return Holder(**aware_values(row)) if row is not None else None


def insert(conn: Connection, holder: Holder) -> None:
    """Write the lock row; ``LockTaken`` when a concurrent insert won (PostgreSQL)."""
    try:
        conn.execute(
            retrain_locks.insert().values(
                model=holder.model,
                attempt_id=holder.attempt_id,
                decision_id=holder.decision_id,
                pid=holder.pid,
                hostname=holder.hostname,
                proc_start=holder.proc_start,
                acquired_at=holder.acquired_at,
                heartbeat_at=holder.heartbeat_at,
            )
        )
    except IntegrityError:
        raise LockTaken(holder.model) from None


def remove(conn: Connection, model: str, attempt_id: str) -> None:
    """Drop ``attempt_id``'s lock of ``model`` (nothing when another attempt holds it now)."""
    conn.execute(
        delete(retrain_locks).where(
            retrain_locks.c.model == model, retrain_locks.c.attempt_id == attempt_id
        )
    )


def set_child(conn: Connection, model: str, attempt_id: str, child_pid: int | None) -> None:
    conn.execute(
        update(retrain_locks)
        .where(
            retrain_locks.c.model == model,
            retrain_locks.c.attempt_id == attempt_id,
        )
        .values(child_pid=child_pid)
    )


def beat(conn: Connection, model: str, attempt_id: str, now: datetime) -> None:
    conn.execute(
        update(retrain_locks)
        .where(
            retrain_locks.c.model == model,
            retrain_locks.c.attempt_id == attempt_id,
        )
        .values(heartbeat_at=now)
    )
