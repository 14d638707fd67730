"""Storing and reading decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retrigger.decision import Decision, Reading
from retrigger.store.schema import decisions
from retrigger.store.times import aware


def save(conn: Connection, decision: Decision) -> None:
    conn.execute(decisions.insert().values(
        id=decision.id,
        model=decision.model,
        created_at=decision.created_at,
        fire=decision.fire,
        wanted=decision.wanted,
        trigger_types=list(decision.trigger_types),
        held_by=decision.held_by,
        hold_detail=decision.hold_detail,
        signals=[{**r.as_json(), "extra": r.extra} for r in decision.readings],
        data_version=decision.data_version,
        data_paths=decision.data_paths,
        git_commit=decision.git_commit,
        config=decision.config,
        requested_by=decision.requested_by,
        reason=decision.reason,
    ))


def get(conn: Connection, decision_id: str) -> Decision | None:
    row = conn.execute(select(decisions).where(decisions.c.id == decision_id)).mappings().first()
    return _from_row(row) if row is not None else None


def latest(conn: Connection, model: str) -> Decision | None:
    row = conn.execute(
        select(decisions).where(decisions.c.model == model)
        .order_by(decisions.c.created_at.desc(), decisions.c.id.desc()).limit(1)
    ).mappings().first()
    return _from_row(row) if row is not None else None


def fired_since(conn: Connection, model: str, since: datetime) -> list[Decision]:
    rows = conn.execute(
        select(decisions).where(decisions.c.model == model, decisions.c.fire.is_(True),
                                decisions.c.created_at >= since)
        .order_by(decisions.c.created_at.desc())
    ).mappings().all()
    return [_from_row(row) for row in rows]


def since(conn: Connection, model: str | None, start: datetime | None,
          limit: int = 1000) -> list[Decision]:
    """Every decision (fired, held or not needed), newest first."""
    query = select(decisions)
    if model is not None:
        query = query.where(decisions.c.model == model)
    if start is not None:
        query = query.where(decisions.c.created_at >= start)
    rows = conn.execute(query.order_by(decisions.c.created_at.desc(), decisions.c.id.desc())
                        .limit(limit)).mappings().all()
    return [_from_row(row) for row in rows]


def _from_row(row: Any) -> Decision:
    readings = tuple(
        Reading(kind=s["kind"], value=s["value"], threshold=s["threshold"], fired=s["fired"],
                detail=s["detail"], extra=s.get("extra") or {})
        for s in row["signals"]
    )
    return Decision(
        id=row["id"], model=row["model"], created_at=aware(row["created_at"]),
        fire=bool(row["fire"]), wanted=bool(row["wanted"]),
        trigger_types=tuple(row["trigger_types"]), held_by=row["held_by"],
        hold_detail=row["hold_detail"], readings=readings, data_version=row["data_version"],
        data_paths=dict(row["data_paths"] or {}), git_commit=row["git_commit"],
        config=dict(row["config"] or {}), requested_by=row["requested_by"], reason=row["reason"],
    )
