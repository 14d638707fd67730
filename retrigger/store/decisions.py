"""Storing and reading decisions, and what holds a new one: a retrain in flight, or a fired
decision that never ran (superseded by the next one that fires)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from retrigger.decision import Decision, Reading
from retrigger.lineage.status import RetrainStatus
from retrigger.store.schema import approvals, decisions, retrain_attempts
from retrigger.store.times import aware

SUPERSEDED = "superseded"  # held_by of a fired decision that never ran, replaced by a newer one


@dataclass(frozen=True)
class InFlight:
    """A retrain already asked for: awaiting approval, or approved and not yet run."""

    decision_id: str
    approval_id: str
    state: str  # "pending" | "approved"


def save(conn: Connection, decision: Decision) -> None:
    conn.execute(
        decisions.insert().values(
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
            fetched=list(decision.fetched),
        )
    )


def get(conn: Connection, decision_id: str) -> Decision | None:
    row = conn.execute(select(decisions).where(decisions.c.id == decision_id)).mappings().first()
    return _from_row(row) if row is not None else None


def latest(conn: Connection, model: str) -> Decision | None:
    row = (
        conn.execute(
            select(decisions)
            .where(decisions.c.model == model)
            .order_by(decisions.c.created_at.desc(), decisions.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return _from_row(row) if row is not None else None


def fired_since(conn: Connection, model: str, since: datetime) -> list[Decision]:
    rows = (
        conn.execute(
            select(decisions)
            .where(
                decisions.c.model == model,
                decisions.c.fire.is_(True),
                decisions.c.created_at >= since,
            )
            .order_by(decisions.c.created_at.desc())
        )
        .mappings()
        .all()
    )
    return [_from_row(row) for row in rows]


def in_flight(conn: Connection, model: str, now: datetime) -> InFlight | None:
    """The oldest open approval of ``model``: pending and unexpired, or approved and not yet
    executed. A new firing decision for the same need waits for it."""
    row = conn.execute(
        select(approvals.c.id, approvals.c.decision_id, approvals.c.status)
        .where(
            approvals.c.model == model,
            approvals.c.executed_at.is_(None),
            ((approvals.c.status == "pending") & (approvals.c.expires_at > now))
            | (approvals.c.status == "approved"),
        )
        .order_by(approvals.c.requested_at, approvals.c.id)
        .limit(1)
    ).first()
    return InFlight(row.decision_id, row.id, row.status) if row is not None else None


@dataclass(frozen=True)
class Started:
    """One retrain attempt that started: its decision, when, and whether it trained nothing
    (it failed, was interrupted or found DVC busy before any model and metric came out)."""

    decision_id: str
    started_at: datetime
    trained_nothing: bool


_UNTRAINED = frozenset({RetrainStatus.FAILED, RetrainStatus.INTERRUPTED, RetrainStatus.BUSY})


def retrains_started_since(conn: Connection, model: str, since: datetime) -> list[Started]:
    """Every retrain attempt of ``model`` started since ``since``: what cooldown, retry
    backoff and budget count (a decision nobody ran is not a retrain)."""
    rows = conn.execute(
        select(
            retrain_attempts.c.decision_id,
            retrain_attempts.c.started_at,
            retrain_attempts.c.status,
            retrain_attempts.c.facts,
        ).where(retrain_attempts.c.model == model, retrain_attempts.c.started_at >= since)
    ).all()
    return [
        Started(
            row.decision_id,
            aware(row.started_at),
            row.status in _UNTRAINED and (row.facts or {}).get("metric_after") is None,
        )
        for row in rows
    ]


def untrained_data_versions(conn: Connection, model: str) -> dict[str, str]:
    """Data version → decision, for the decisions of ``model`` whose retrain ran no stage
    (``nothing-to-train``): retraining on them again would build nothing."""
    rows = conn.execute(
        select(decisions.c.data_version, decisions.c.id)
        .join(retrain_attempts, retrain_attempts.c.decision_id == decisions.c.id)
        .where(
            decisions.c.model == model,
            decisions.c.data_version.is_not(None),
            retrain_attempts.c.status == str(RetrainStatus.NOTHING_TO_TRAIN),
        )
        .order_by(retrain_attempts.c.started_at)
    ).all()
    found: dict[str, str] = {}
    for row in rows:
        found.setdefault(str(row.data_version), str(row.id))
    return found


@dataclass(frozen=True)
class TriedAttempt:
    """A retrain attempt that built nothing promotable from its inputs: validation refused its
    model (comparably) or its ``dvc repro`` ran no stage. Its ``dvc.lock`` is kept under
    ``.retrigger/challengers/<attempt_id>/``."""

    decision_id: str
    attempt_id: str
    status: str
    data_version: str


def tried_attempts(conn: Connection, model: str) -> list[TriedAttempt]:
    """The refused and nothing-to-train attempts of ``model`` with a data version, newest first."""
    statuses = (str(RetrainStatus.REJECTED), str(RetrainStatus.NOTHING_TO_TRAIN))
    rows = conn.execute(
        select(
            decisions.c.id,
            decisions.c.data_version,
            retrain_attempts.c.id.label("attempt_id"),
            retrain_attempts.c.status,
            retrain_attempts.c.facts,
        )
        .join(retrain_attempts, retrain_attempts.c.decision_id == decisions.c.id)
        .where(
            decisions.c.model == model,
            decisions.c.data_version.is_not(None),
            retrain_attempts.c.status.in_(statuses),
        )
        .order_by(retrain_attempts.c.started_at.desc())
    ).all()
    return [
        TriedAttempt(str(row.id), str(row.attempt_id), str(row.status), str(row.data_version))
        for row in rows
        # A refusal that could not compare the two models says nothing about these inputs.
        if not ((row.facts or {}).get("validation") or {}).get("incomparable")
    ]


def supersede_unrun(conn: Connection, by: Decision) -> list[str]:
    """Mark the fired decisions of ``by.model`` that never started a retrain nor have an
    approval as superseded by ``by``; return their ids. They no longer count as fired."""
    started = select(retrain_attempts.c.decision_id)
    asked = select(approvals.c.decision_id)
    ids = list(
        conn.execute(
            select(decisions.c.id).where(
                decisions.c.model == by.model,
                decisions.c.fire.is_(True),
                decisions.c.id != by.id,
                decisions.c.id.not_in(started),
                decisions.c.id.not_in(asked),
            )
        ).scalars()
    )
    if ids:
        conn.execute(
            update(decisions)
            .where(decisions.c.id.in_(ids))
            .values(
                fire=False,
                held_by=SUPERSEDED,
                hold_detail=f"superseded by {by.id} (fired, never ran)",
            )
        )
    return ids


def since(
    conn: Connection, model: str | None, start: datetime | None, limit: int = 1000
) -> list[Decision]:
    """Every decision (fired, held or not needed), newest first."""
    query = select(decisions)
    if model is not None:
        query = query.where(decisions.c.model == model)
    if start is not None:
        query = query.where(decisions.c.created_at >= start)
    rows = (
        conn.execute(
            query.order_by(decisions.c.created_at.desc(), decisions.c.id.desc()).limit(limit)
        )
        .mappings()
        .all()
    )
    return [_from_row(row) for row in rows]


def recent_readings(conn: Connection, model: str, kind: str, limit: int) -> list[Reading]:
    """The ``kind`` reading of the model's last ``limit`` decisions that have one, newest first
    (drift persistence and the sequential test read their history here)."""
    found: list[Reading] = []
    for decision in since(conn, model, None, limit=max(limit * 4, limit + 20)):
        found += [r for r in decision.readings if r.kind == kind][:1]
        if len(found) == limit:
            break
    return found


def _from_row(row: Any) -> Decision:
    readings = tuple(
        Reading(
            kind=s["kind"],
            value=s["value"],
            threshold=s["threshold"],
            fired=s["fired"],
            detail=s["detail"],
            extra=s.get("extra") or {},
            unknown=s.get("state") == "unknown",
        )
        for s in row["signals"]
    )
    return Decision(
        id=row["id"],
        model=row["model"],
        created_at=aware(row["created_at"]),
        fire=bool(row["fire"]),
        wanted=bool(row["wanted"]),
        trigger_types=tuple(row["trigger_types"]),
        held_by=row["held_by"],
        hold_detail=row["hold_detail"],
        readings=readings,
        data_version=row["data_version"],
        data_paths=dict(row["data_paths"] or {}),
        git_commit=row["git_commit"],
        config=dict(row["config"] or {}),
        requested_by=row["requested_by"],
        reason=row["reason"],
        fetched=tuple(row["fetched"] or ()),
    )
