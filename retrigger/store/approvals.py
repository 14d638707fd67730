"""Approvals: a human says yes or no to one fired decision, exactly once.

An approval is tied to the git commit and data version it was requested for. Every change is a
conditional UPDATE of a *pending* row, so concurrent clicks, Slack retries and replays produce
one state change; the others read who decided and when.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, or_, select, update

from retrigger.decision import Decision
from retrigger.store.schema import approvals
from retrigger.store.times import aware_values

PENDING, APPROVED, REJECTED, EXPIRED, STALE = "pending", "approved", "rejected", "expired", "stale"


@dataclass(frozen=True)
class Approval:
    id: str
    decision_id: str
    model: str
    status: str
    requested_by: str | None
    requested_at: datetime
    expires_at: datetime
    git_commit: str | None
    data_version: str | None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    executed_at: datetime | None = None
    dispatched_at: datetime | None = None
    superseded_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == PENDING


def new_approval_id(now: datetime) -> str:
    return f"a-{now.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Outcome:
    """The result of a decide attempt: ``changed`` is true for exactly one attempt."""

    changed: bool
    approval: Approval


def request(
    conn: Connection,
    decision: Decision,
    requested_by: str | None,
    ttl: timedelta,
    now: datetime,
    *,
    approval_id: str | None = None,
) -> Approval:
    """Store a pending approval for ``decision`` (or return the one already stored)."""
    existing = for_decision(conn, decision.id)
    if existing is not None:
        return existing
    approval_id = approval_id or new_approval_id(now)
    conn.execute(
        approvals.insert().values(
            id=approval_id,
            decision_id=decision.id,
            model=decision.model,
            status=PENDING,
            requested_by=requested_by,
            requested_at=now,
            expires_at=now + ttl,
            git_commit=decision.git_commit,
            data_version=decision.data_version,
        )
    )
    found = get(conn, approval_id)
    assert found is not None
    return found


def get(conn: Connection, approval_id: str) -> Approval | None:
    row = conn.execute(select(approvals).where(approvals.c.id == approval_id)).mappings().first()
    return _from_row(row) if row is not None else None


def for_decision(conn: Connection, decision_id: str) -> Approval | None:
    row = (
        conn.execute(select(approvals).where(approvals.c.decision_id == decision_id))
        .mappings()
        .first()
    )
    return _from_row(row) if row is not None else None


def answer(
    conn: Connection, approval_id: str, actor: str, approve: bool, reason: str | None, now: datetime
) -> Outcome | None:
    """Approve or reject a pending, unexpired approval; None when the id is unknown."""
    result = conn.execute(
        update(approvals)
        .where(
            approvals.c.id == approval_id,
            approvals.c.status == PENDING,
            approvals.c.expires_at > now,
        )
        .values(
            status=APPROVED if approve else REJECTED,
            decided_by=actor,
            decided_at=now,
            reason=reason,
        )
    )
    current = get(conn, approval_id)
    if current is None:
        return None
    return Outcome(changed=result.rowcount == 1, approval=current)


def auto_approve(
    conn: Connection, decision: Decision, requested_by: str | None, now: datetime
) -> Approval:
    """Record a retrain that needs no human (``policy.approval: none``) as approved, so the
    executor hands it on exactly once like any approved one."""
    approval_id = new_approval_id(now)
    conn.execute(
        approvals.insert().values(
            id=approval_id,
            decision_id=decision.id,
            model=decision.model,
            status=APPROVED,
            requested_by=requested_by,
            requested_at=now,
            expires_at=now,
            git_commit=decision.git_commit,
            data_version=decision.data_version,
            decided_by="policy",
            decided_at=now,
            reason="policy.approval is none",
        )
    )
    found = get(conn, approval_id)
    assert found is not None
    return found


def expire(conn: Connection, approval_id: str, now: datetime) -> bool:
    """Mark a pending approval whose time is up as expired; true for the one caller that did."""
    result = conn.execute(
        update(approvals)
        .where(
            approvals.c.id == approval_id,
            approvals.c.status == PENDING,
            approvals.c.expires_at <= now,
        )
        .values(status=EXPIRED, decided_at=now)
    )
    return result.rowcount == 1


def due_to_expire(conn: Connection, now: datetime) -> list[Approval]:
    rows = (
        conn.execute(
            select(approvals).where(approvals.c.status == PENDING, approvals.c.expires_at <= now)
        )
        .mappings()
        .all()
    )
    return [_from_row(row) for row in rows]


def mark_stale(conn: Connection, approval_id: str, superseded_by: str, now: datetime) -> bool:
    """An approved, not yet executed approval whose commit or data moved becomes stale."""
    result = conn.execute(
        update(approvals)
        .where(
            approvals.c.id == approval_id,
            approvals.c.status == APPROVED,
            approvals.c.executed_at.is_(None),
        )
        .values(status=STALE, superseded_by=superseded_by, decided_at=now)
    )
    return result.rowcount == 1


def mark_executed(conn: Connection, approval_id: str, now: datetime) -> bool:
    """Take an approved decision for execution: true for exactly one caller."""
    result = conn.execute(
        update(approvals)
        .where(
            approvals.c.id == approval_id,
            approvals.c.status == APPROVED,
            approvals.c.executed_at.is_(None),
        )
        .values(executed_at=now)
    )
    return result.rowcount == 1


def ready_to_dispatch(
    conn: Connection, model: str | None = None, lease_before: datetime | None = None
) -> list[Approval]:
    """Approved approvals not yet executed and not handed to an executor — or handed before
    ``lease_before`` with no attempt started since (the dispatch's lease ran out), oldest first."""
    waiting: ColumnElement[bool] = approvals.c.dispatched_at.is_(None)
    if lease_before is not None:
        waiting = or_(waiting, approvals.c.dispatched_at < lease_before)
    query = select(approvals).where(
        approvals.c.status == APPROVED, waiting, approvals.c.executed_at.is_(None)
    )
    if model is not None:
        query = query.where(approvals.c.model == model)
    rows = conn.execute(query.order_by(approvals.c.decided_at, approvals.c.id)).mappings().all()
    return [_from_row(row) for row in rows]


def executed_since(conn: Connection, model: str | None, since: datetime) -> list[Approval]:
    """Approved approvals whose retrain started at or after ``since`` (a runner took them)."""
    query = select(approvals).where(
        approvals.c.status == APPROVED, approvals.c.executed_at >= since
    )
    if model is not None:
        query = query.where(approvals.c.model == model)
    rows = conn.execute(query.order_by(approvals.c.executed_at, approvals.c.id)).mappings().all()
    return [_from_row(row) for row in rows]


def claim_dispatch(conn: Connection, seen: Approval, now: datetime) -> bool:
    """Hand an approved retrain to the executor; true for exactly one caller among those that
    read the same row (compare-and-set on the dispatch and execution times it had)."""

    def same(column: Any, value: datetime | None) -> Any:
        return column.is_(None) if value is None else column == value

    result = conn.execute(
        update(approvals)
        .where(
            approvals.c.id == seen.id,
            approvals.c.status == APPROVED,
            same(approvals.c.dispatched_at, seen.dispatched_at),
            same(approvals.c.executed_at, seen.executed_at),
        )
        .values(dispatched_at=now)
    )
    return result.rowcount == 1


def listing(
    conn: Connection, *, status: str | None = None, model: str | None = None, limit: int = 50
) -> list[Approval]:
    query = select(approvals)
    if status is not None:
        query = query.where(approvals.c.status == status)
    if model is not None:
        query = query.where(approvals.c.model == model)
    rows = (
        conn.execute(
            query.order_by(approvals.c.requested_at.desc(), approvals.c.id.desc()).limit(limit)
        )
        .mappings()
        .all()
    )
    return [_from_row(row) for row in rows]


def _from_row(row: Any) -> Approval:
    return Approval(**aware_values(row))
