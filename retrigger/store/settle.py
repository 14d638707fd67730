"""Settle windows of inbound events: one open window per watched prefix, extended by each
event, claimed once when it closes so exactly one check runs for it.

``open_prefix`` holds the prefix while the window is open and is cleared when it is claimed:
the unique constraint, not a read-then-write, keeps two concurrent events from opening two
windows (NULLs do not collide), and an event during the check opens the next window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.expression import UpdateBase

from retrigger.store.compiled import Compiled
from retrigger.store.schema import metadata
from retrigger.store.times import aware, aware_values

OPEN, CHECKING, CHECKED, FAILED = "open", "checking", "checked", "failed"

settle_windows = Table(
    "settle_windows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),
    Column("prefix", String(1024), nullable=False, index=True),
    Column("open_prefix", String(1024), unique=True),
    Column("data", String(1024), nullable=False),  # the `data:` path the prefix feeds
    Column("status", String(16), nullable=False, index=True),  # open → checking → checked|failed
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("last_event_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False, index=True),
    Column("events", Integer, nullable=False),
    Column("marker_seen", Boolean, nullable=False),
    Column("claimed_until", DateTime(timezone=True)),  # a crashed check is claimed again after
    Column("decision_id", String(64)),
    Column("error", Text),
    Column("finished_at", DateTime(timezone=True)),
)


def create(conn: Connection) -> None:
    """The migration: called from ``schema.MIGRATIONS``."""
    settle_windows.create(conn, checkfirst=True)


@dataclass(frozen=True)
class Window:
    id: int
    source: str
    prefix: str
    open_prefix: str | None
    data: str
    status: str
    opened_at: datetime
    last_event_at: datetime
    due_at: datetime
    events: int
    marker_seen: bool
    claimed_until: datetime | None
    decision_id: str | None
    error: str | None
    finished_at: datetime | None


def _extend(dialect: str, marker: bool) -> UpdateBase:
    """The open window of ``:prefix`` counts one more event and is due at ``:due`` at the
    latest (a marker: due now, ``:due`` being ``:now``)."""
    due = bindparam("due", type_=settle_windows.c.due_at.type)
    later = (
        func.max(settle_windows.c.due_at, due)  # SQLite's two-argument max is a scalar
        if dialect == "sqlite"
        else func.greatest(settle_windows.c.due_at, due)
    )
    changes: dict[str, Any] = {
        "last_event_at": bindparam("now", type_=settle_windows.c.last_event_at.type),
        "events": settle_windows.c.events + 1,
    }
    changes |= {"marker_seen": true(), "due_at": due} if marker else {"due_at": later}
    where = settle_windows.c.open_prefix == bindparam("prefix")
    return update(settle_windows).where(where).values(changes)


# Once per event the server answers: compiled once (retrigger.store.compiled).
_EXTEND = Compiled(lambda dialect: _extend(dialect, marker=False))
_MARK = Compiled(lambda dialect: _extend(dialect, marker=True))


def note_event(
    conn: Connection,
    source: str,
    prefix: str,
    data: str,
    now: datetime,
    due: datetime,
    marker: bool,
) -> None:
    """Open the prefix's window or extend it to ``due`` (a marker makes it due now)."""
    due = now if marker else due
    extend = _MARK if marker else _EXTEND
    for _ in range(2):  # a concurrent first event may win the insert; then we extend it
        if extend.run(conn, prefix=prefix, now=now, due=due):
            return
        try:
            with conn.begin_nested():
                conn.execute(
                    settle_windows.insert().values(
                        source=source,
                        prefix=prefix,
                        open_prefix=prefix,
                        data=data,
                        status=OPEN,
                        opened_at=now,
                        last_event_at=now,
                        due_at=due,
                        events=1,
                        marker_seen=marker,
                    )
                )
            return
        except IntegrityError:
            continue


def claim_due(conn: Connection, now: datetime, lease: timedelta) -> Window | None:
    """The next closed window, claimed for one check (or one whose checker died)."""
    ready = or_(
        (settle_windows.c.status == OPEN) & (settle_windows.c.due_at <= now),
        (settle_windows.c.status == CHECKING) & (settle_windows.c.claimed_until < now),
    )
    found = conn.execute(
        select(settle_windows.c.id).where(ready).order_by(settle_windows.c.due_at).limit(1)
    ).scalar()
    if found is None:
        return None
    claimed = conn.execute(
        update(settle_windows)
        .where(settle_windows.c.id == found, ready)
        .values(status=CHECKING, open_prefix=None, claimed_until=now + lease)
    ).rowcount
    return get(conn, int(found)) if claimed else None


def finish(
    conn: Connection, window_id: int, decision_id: str | None, error: str | None, now: datetime
) -> None:
    conn.execute(
        update(settle_windows)
        .where(settle_windows.c.id == window_id)
        .values(
            status=FAILED if error else CHECKED,
            decision_id=decision_id,
            error=error,
            finished_at=now,
            claimed_until=None,
        )
    )


def next_due(conn: Connection) -> datetime | None:
    found = conn.execute(
        select(func.min(settle_windows.c.due_at)).where(settle_windows.c.status == OPEN)
    ).scalar()
    return aware(found) if found is not None else None


def get(conn: Connection, window_id: int) -> Window | None:
    row = (
        conn.execute(select(settle_windows).where(settle_windows.c.id == window_id))
        .mappings()
        .first()
    )
    return Window(**aware_values(row)) if row is not None else None


def recent(conn: Connection, limit: int = 50) -> list[Window]:
    rows = (
        conn.execute(select(settle_windows).order_by(settle_windows.c.id.desc()).limit(limit))
        .mappings()
        .all()
    )
    return [Window(**aware_values(row)) for row in rows]
