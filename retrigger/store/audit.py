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
    subject: str | None = None


SUBJECT_LENGTH = 64  # the column's width: a longer subject (a models:/ URI) is cut to it


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
            at=now,
            actor=actor,
            action=action[:64],
            subject=subject[:SUBJECT_LENGTH] if subject else subject,
            detail=detail or {},
        )
    )


def about(conn: Connection, subject: str | None) -> list[Event]:
    """Every record about ``subject`` (a decision or approval id), oldest first."""
    rows = (
        conn.execute(
            select(audit)
            .where(audit.c.subject == (subject[:SUBJECT_LENGTH] if subject else subject))
            .order_by(audit.c.at, audit.c.id)
        )
        .mappings()
        .all()
    )
    return [_event(r) for r in rows]


def with_prefix(conn: Connection, prefix: str, limit: int = 200) -> list[Event]:
    """The newest records whose action starts with ``prefix`` (``mlflow.``), newest first."""
    rows = (
        conn.execute(
            select(audit)
            .where(audit.c.action.startswith(prefix, autoescape=True))
            .order_by(audit.c.at.desc(), audit.c.id.desc())
            .limit(limit)
        )
        .mappings()
        .all()
    )
    return [_event(r) for r in rows]


def _event(row: Any) -> Event:
    return Event(
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        detail=row["detail"],
        subject=row["subject"],
    )
