"""Audit records: who did what to which decision or approval, written in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retrigger.store.schema import audit


def record(conn: Connection, *, action: str, subject: str | None, actor: str | None,
           now: datetime, detail: dict[str, Any] | None = None) -> None:
    conn.execute(audit.insert().values(at=now, actor=actor, action=action, subject=subject,
                                       detail=detail or {}))
