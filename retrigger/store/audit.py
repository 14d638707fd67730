"""Audit records: who did what to which decision or approval, written in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retrigger.store.schema import audit


@dataclass(frozen=True)
class Event:
    """One audit record, ``at`` as the database returned it."""

    at: datetime
    actor: str | None
    action: str
    detail: dict[str, Any]


def record(
    conn: Connection,
    *,
    action: str,
    subject: str | None,
    actor: str | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        audit.insert().values(
            at=now, actor=actor, action=action, subject=subject, detail=detail or {}
        )
    )


def about(conn: Connection, subject: str | None) -> list[Event]:
    """Every record about ``subject`` (a decision or approval id), oldest first."""
    rows = (
        conn.execute(
            select(audit).where(audit.c.subject == subject).order_by(audit.c.at, audit.c.id)
        )
        .mappings()
        .all()
    )
    return [
        Event(at=r["at"], actor=r["actor"], action=r["action"], detail=r["detail"]) for r in rows
    ]
