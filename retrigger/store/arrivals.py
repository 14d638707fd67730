"""Data-arrival events: a new data version of a model reached the DVC remote.

Recorded once per (model, data version): pushing the same version again, or two people pushing
it at the same moment, leaves one row (a unique constraint decides, not a read-then-write).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from retrigger.store.times import aware

if TYPE_CHECKING:
    from retrigger.store import Store


@dataclass(frozen=True)
class Arrival:
    model: str
    data_version: str
    created_at: datetime
    source: str
    git_commit: str | None
    paths: dict[str, str]
    delta: dict[str, Any]

    def as_json(self) -> dict[str, object]:
        return {
            "model": self.model,
            "data_version": self.data_version,
            "created_at": self.created_at.isoformat(),
            "source": self.source,
            "git_commit": self.git_commit,
            "paths": self.paths,
            "delta": self.delta,
        }


def record(
    store: Store,
    arrival: Arrival,
    channel: str | None = None,
    links: dict[str, str] | None = None,
) -> bool:
    """Store the event (and, with a ``channel``, its announcement in the outbox, in the same
    transaction, with its ``links``); False when this model's data version had already
    arrived."""
    from sqlalchemy.exc import IntegrityError

    from retrigger.store import outbox
    from retrigger.store.schema import data_arrivals

    try:
        with store.transaction() as conn:
            if _find(conn, arrival.model, arrival.data_version) is not None:
                return False
            conn.execute(
                data_arrivals.insert().values(
                    model=arrival.model,
                    data_version=arrival.data_version,
                    created_at=arrival.created_at,
                    source=arrival.source,
                    git_commit=arrival.git_commit,
                    paths=arrival.paths,
                    delta=arrival.delta,
                )
            )
            if channel is not None:
                outbox.enqueue(
                    conn,
                    outbox.DATA_ARRIVAL,
                    {**arrival.as_json(), "links": links or {}},
                    channel=channel,
                    now=arrival.created_at,
                )
    except IntegrityError:
        return False  # a concurrent push recorded it between our check and our insert
    return True


def latest(store: Store, model: str) -> Arrival | None:
    """The most recent arrival of the model's data, or None."""
    from sqlalchemy import select

    from retrigger.store.schema import data_arrivals as table

    with store.transaction() as conn:
        row = (
            conn.execute(
                select(table).where(table.c.model == model).order_by(table.c.id.desc()).limit(1)
            )
            .mappings()
            .first()
        )
    return _arrival(dict(row)) if row is not None else None


def all_for(store: Store, model: str) -> list[Arrival]:
    """Every arrival of the model's data, oldest first."""
    from sqlalchemy import select

    from retrigger.store.schema import data_arrivals as table

    with store.transaction() as conn:
        rows = (
            conn.execute(select(table).where(table.c.model == model).order_by(table.c.id))
            .mappings()
            .all()
        )
    return [_arrival(dict(row)) for row in rows]


def claim(conn: Any, model: str, version: str, decision_id: str) -> bool:
    """Make ``decision_id`` the one decision that answers this arrival; False when another
    decision already does. A conditional UPDATE, so two processes at once cannot both win: on
    PostgreSQL the second waits on the row and re-reads it, on SQLite ``BEGIN IMMEDIATE``
    orders them."""
    from sqlalchemy import update

    from retrigger.store.schema import data_arrivals as table

    result = conn.execute(
        update(table)
        .where(
            (table.c.model == model)
            & (table.c.data_version == version)
            & table.c.decision_id.is_(None)
        )
        .values(decision_id=decision_id)
    )
    return bool(result.rowcount == 1)


def covered_by(store: Store, model: str, version: str) -> str | None:
    """The decision that already answers this model's arrival of ``version``, if any."""
    from sqlalchemy import select

    from retrigger.store.schema import data_arrivals as table

    with store.transaction() as conn:
        found = conn.execute(
            select(table.c.decision_id).where(
                (table.c.model == model) & (table.c.data_version == version)
            )
        ).scalar()
    return str(found) if found is not None else None


def _find(conn: Any, model: str, version: str) -> int | None:
    from sqlalchemy import select

    from retrigger.store.schema import data_arrivals as table

    found = conn.execute(
        select(table.c.id).where((table.c.model == model) & (table.c.data_version == version))
    ).scalar()
    return int(found) if found is not None else None


def _arrival(row: dict[str, Any]) -> Arrival:
    return Arrival(
        model=row["model"],
        data_version=row["data_version"],
        created_at=aware(row["created_at"]),
        source=row["source"],
        git_commit=row["git_commit"],
        paths=dict(row["paths"]),
        delta=dict(row["delta"]),
    )
