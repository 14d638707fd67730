"""Estimates the checks stored, and the realised metrics later set beside them.

Both live in the decisions' readings (JSON): an estimated performance reading carries
``estimate``; a labelled one that was compared with an earlier estimate carries ``estimated``
(the estimate's decision id and what it said). They are filtered here, in Python, so the same
code reads SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, select

from retrigger.store.db import make_engine, reachable
from retrigger.store.schema import decisions
from retrigger.store.times import aware


@dataclass(frozen=True)
class StoredEstimate:
    """A metric an earlier check estimated without labels, on rows named by their content."""

    decision_id: str
    created_at: datetime
    metric: str
    value: float
    low: float
    high: float
    rows_key: str
    data_path: str | None = None  # estimation.data, and its md5 then: the file estimated
    data_md5: str | None = None


@dataclass(frozen=True)
class StoredComparison:
    """A later check's realised metric, set beside the estimate ``estimate_id`` made."""

    decision_id: str
    created_at: datetime
    estimate_id: str
    realised: float
    detail: str  # the reading's words: where the realised value came from


def earlier_estimates(conn: Connection, model: str, limit: int = 1000) -> list[StoredEstimate]:
    """The estimated performance readings of ``model``'s newest ``limit`` decisions, newest
    first."""
    found = []
    for decision_id, created_at, signal in _signals(conn, model, None, limit):
        estimate = signal.get("estimate")
        if isinstance(estimate, dict) and estimate.get("rows_key"):
            found.append(_estimate(decision_id, created_at, estimate))
    return found


def history(
    conn: Connection, model: str, since: datetime | None
) -> tuple[list[StoredEstimate], list[StoredComparison]]:
    """Every estimate of ``model`` stored since ``since``, and every comparison of a realised
    metric with one, both oldest first."""
    estimates, compared = [], []
    # A comparison always comes after its estimate: both are read from ``since`` on.
    for decision_id, created_at, signal in reversed(_signals(conn, model, since, None)):
        estimate, against = signal.get("estimate"), signal.get("estimated")
        if isinstance(estimate, dict) and estimate.get("rows_key"):
            estimates.append(_estimate(decision_id, created_at, estimate))
        value = signal.get("value")
        if isinstance(against, dict) and against.get("decision_id") and value is not None:
            compared.append(
                StoredComparison(
                    decision_id,
                    created_at,
                    str(against["decision_id"]),
                    float(value),
                    str(signal.get("detail", "")),
                )
            )
    return estimates, compared


@contextmanager
def reading(url: str, root: Path) -> Iterator[Connection | None]:
    """A connection that only reads the state store (a backtest writes nothing); None when its
    SQLite file does not exist (nothing was stored, and opening would create it)."""
    database = None
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path = path if path.is_absolute() else root / path
        if not path.is_file():
            yield None
            return
        database = str(path.resolve())
        engine = create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")
    else:
        engine = make_engine(url, root)
    try:
        with reachable(url, database), engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _signals(
    conn: Connection, model: str, since: datetime | None, limit: int | None
) -> list[tuple[str, datetime, dict[str, Any]]]:
    """Each stored reading of ``model``'s decisions, newest decision first."""
    query = select(decisions.c.id, decisions.c.created_at, decisions.c.signals).where(
        decisions.c.model == model
    )
    if since is not None:
        query = query.where(decisions.c.created_at >= since)
    query = query.order_by(decisions.c.created_at.desc())
    rows = conn.execute(query.limit(limit) if limit is not None else query).all()
    return [
        (str(row.id), aware(row.created_at), signal)
        for row in rows
        for signal in reversed(row.signals or [])
        if isinstance(signal, dict)
    ]


def _estimate(decision_id: str, created_at: datetime, estimate: dict[str, Any]) -> StoredEstimate:
    data = estimate.get("data")
    data = data if isinstance(data, dict) else {}
    return StoredEstimate(
        decision_id,
        created_at,
        str(estimate["metric"]),
        float(estimate["value"]),
        float(estimate["low"]),
        float(estimate["high"]),
        str(estimate["rows_key"]),
        str(data["path"]) if data.get("path") else None,
        str(data["md5"]) if data.get("md5") else None,
    )
