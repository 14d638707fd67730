"""Attempts to execute a decision, and their steps, in the state store.

An attempt records where it stopped, so a rerun of the same decision knows what happened: the
metric measured before the first ``dvc repro`` (it cannot be measured again once the model
changed), the MLflow run and registry version it made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from retrigger.lineage.status import RetrainStatus, StepStatus
from retrigger.store.schema import retrain_attempts, retrain_steps
from retrigger.store.times import aware, aware_values


@dataclass(frozen=True)
class Step:
    name: str
    status: str
    started_at: datetime
    seconds: float | None
    detail: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "seconds": None if self.seconds is None else round(self.seconds, 3),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Attempt:
    id: str
    decision_id: str
    model: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    pid: int | None
    hostname: str | None
    requested_by: str | None
    approved_by: str | None
    stopped_at: str | None
    error: str | None
    facts: dict[str, Any]
    steps: list[Step] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "attempt_id": self.id,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "host": f"pid {self.pid} on {self.hostname}",
            "stopped_at": self.stopped_at,
            "error": self.error,
            "steps": [s.as_json() for s in self.steps],
        }


def new_attempt_id(now: datetime) -> str:
    return f"t-{now.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


def start(
    conn: Connection,
    attempt_id: str,
    decision_id: str,
    model: str,
    now: datetime,
    *,
    pid: int,
    hostname: str,
    requested_by: str | None,
    approved_by: str | None,
) -> None:
    conn.execute(
        retrain_attempts.insert().values(
            id=attempt_id,
            decision_id=decision_id,
            model=model,
            status=RetrainStatus.RUNNING,
            started_at=now,
            pid=pid,
            hostname=hostname,
            requested_by=requested_by,
            approved_by=approved_by,
            facts={},
        )
    )


def finish(
    conn: Connection,
    attempt_id: str,
    status: RetrainStatus,
    now: datetime,
    facts: dict[str, Any],
    *,
    stopped_at: str | None = None,
    error: str | None = None,
) -> None:
    """``facts``: the attempt's facts as JSON (``AttemptFacts.as_json``, retrigger.pipeline)."""
    conn.execute(
        update(retrain_attempts)
        .where(retrain_attempts.c.id == attempt_id)
        .values(status=status, finished_at=now, facts=facts, stopped_at=stopped_at, error=error)
    )


def save_facts(conn: Connection, attempt_id: str, facts: dict[str, Any]) -> None:
    conn.execute(
        update(retrain_attempts).where(retrain_attempts.c.id == attempt_id).values(facts=facts)
    )


def mark_interrupted(conn: Connection, attempt_id: str, now: datetime, why: str) -> None:
    """A dead runner's attempt: interrupted where its running step was."""
    running = conn.execute(
        select(retrain_steps.c.name).where(
            retrain_steps.c.attempt_id == attempt_id, retrain_steps.c.status == StepStatus.RUNNING
        )
    ).scalar()
    conn.execute(
        update(retrain_steps)
        .where(
            retrain_steps.c.attempt_id == attempt_id,
            retrain_steps.c.status == StepStatus.RUNNING,
        )
        .values(status=StepStatus.INTERRUPTED, detail=why)
    )
    conn.execute(
        update(retrain_attempts)
        .where(
            retrain_attempts.c.id == attempt_id,
            retrain_attempts.c.status == RetrainStatus.RUNNING,
        )
        .values(status=RetrainStatus.INTERRUPTED, finished_at=now, stopped_at=running, error=why)
    )


def step_started(conn: Connection, attempt_id: str, name: str, now: datetime) -> int:
    result = conn.execute(
        retrain_steps.insert().values(
            attempt_id=attempt_id, name=name, status=StepStatus.RUNNING, started_at=now
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def step_finished(
    conn: Connection, step_id: int, status: StepStatus, seconds: float, detail: str | None
) -> None:
    conn.execute(
        update(retrain_steps)
        .where(retrain_steps.c.id == step_id)
        .values(status=status, seconds=seconds, detail=detail)
    )


def for_decision(conn: Connection, decision_id: str) -> list[Attempt]:
    """Every attempt at ``decision_id`` with its steps, oldest first."""
    rows = (
        conn.execute(
            select(retrain_attempts)
            .where(
                retrain_attempts.c.decision_id == decision_id,
            )
            .order_by(retrain_attempts.c.started_at, retrain_attempts.c.id)
        )
        .mappings()
        .all()
    )
    found = []
    for row in rows:
        steps = (
            conn.execute(
                select(retrain_steps)
                .where(retrain_steps.c.attempt_id == row["id"])
                .order_by(retrain_steps.c.id)
            )
            .mappings()
            .all()
        )
        found.append(
            Attempt(
                **{k: v for k, v in aware_values(row).items() if k != "facts"},
                facts=dict(row["facts"] or {}),
                steps=[
                    Step(s["name"], s["status"], aware(s["started_at"]), s["seconds"], s["detail"])
                    for s in steps
                ],
            )
        )
    return found


@dataclass(frozen=True)
class ReproTimed:
    """A retrain's ``repro`` step that trained: its seconds, and the data it trained on."""

    attempt_id: str
    seconds: float
    data: tuple[tuple[str, str], ...]  # (path, md5) of the outputs' data


def repro_durations(conn: Connection, model: str, limit: int = 50) -> list[ReproTimed]:
    """The newest ``limit`` repro steps of ``model`` that ended ok and produced outputs (a
    repro that trained nothing leaves no outputs in the facts)."""
    rows = conn.execute(
        select(retrain_attempts.c.id, retrain_attempts.c.facts, retrain_steps.c.seconds)
        .join(retrain_steps, retrain_steps.c.attempt_id == retrain_attempts.c.id)
        .where(
            retrain_attempts.c.model == model,
            retrain_steps.c.name == "repro",
            retrain_steps.c.status == StepStatus.OK,
            retrain_steps.c.seconds.is_not(None),
        )
        .order_by(retrain_steps.c.started_at.desc())
        .limit(limit)
    ).all()
    found = []
    for attempt_id, facts, seconds in rows:
        outputs = (facts or {}).get("outputs")
        if not isinstance(outputs, dict):
            continue
        data = [d for d in outputs.get("data") or [] if isinstance(d, dict) and d.get("md5")]
        pairs = tuple((str(d["path"]), str(d["md5"])) for d in data)
        found.append(ReproTimed(str(attempt_id), float(seconds), pairs))
    return found
