"""The label-free estimator's error over the history: each estimate a check stored, beside the
realised metric a later check read for the same rows, when the labels came.

The estimates are not replayed (that would need the champion of each past day): they are the
ones the real checks made and stored, placed at the replayed point in effect when they were
made. Only the pairs a check itself proved to be the same rows count (``estimated`` in the
later reading, see ``estimation.realised``); with none, the error is unknown, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from retrigger.backtest.replay import PointResult
from retrigger.config import LoadedConfig
from retrigger.store.estimates import StoredComparison, StoredEstimate, history, reading
from retrigger.units import format as fmt


@dataclass(frozen=True)
class Pair:
    """One stored estimate, and the realised metric of its rows when a check read it."""

    estimate: StoredEstimate
    commit: str | None  # the replayed point in effect when the estimate was made
    realised: StoredComparison | None

    @property
    def error(self) -> float | None:
        """realised − estimated (the sign says which way the estimate missed)."""
        return None if self.realised is None else self.realised.realised - self.estimate.value

    @property
    def inside(self) -> bool | None:
        if self.realised is None:
            return None
        return self.estimate.low <= self.realised.realised <= self.estimate.high

    def as_json(self) -> dict[str, object]:
        e, r = self.estimate, self.realised
        return {
            "decision_id": e.decision_id,
            "time": e.created_at.isoformat(),
            "commit": self.commit,
            "metric": e.metric,
            "value": e.value,
            "low": e.low,
            "high": e.high,
            "data": {"path": e.data_path, "md5": e.data_md5},
            "realised": None
            if r is None
            else {
                "decision_id": r.decision_id,
                "time": r.created_at.isoformat(),
                "value": r.realised,
                "error": self.error,
                "inside": self.inside,
            },
        }

    def words(self) -> str:
        e, r = self.estimate, self.realised
        where = f"point {self.commit[:8]}" if self.commit else "before the first point"
        said = (
            f"{e.metric} estimated {e.value:.4g} [{e.low:.4g}, {e.high:.4g}] on "
            f"{fmt.timestamp(e.created_at)} ({where}, decision {e.decision_id})"
        )
        if r is None or self.error is None:
            return f"{said}: no realised metric for these rows yet"
        side = "inside" if self.inside else "outside"
        return (
            f"{said}: realised {r.realised:.4g} on {fmt.timestamp(r.created_at)} (decision "
            f"{r.decision_id}), off by {self.error:+.4g}, {side} the interval"
        )


@dataclass(frozen=True)
class EstimatorError:
    pairs: tuple[Pair, ...]  # every estimate stored in the replayed period, oldest first
    unknown: str | None = None  # why no error can be given

    @property
    def compared(self) -> list[Pair]:
        return [p for p in self.pairs if p.realised is not None]

    def summary(self) -> dict[str, float | int | None]:
        errors = [abs(p.error) for p in self.compared if p.error is not None]
        inside = [p.inside for p in self.compared]
        return {
            "estimates": len(self.pairs),
            "compared": len(errors),
            "mean_abs_error": sum(errors) / len(errors) if errors else None,
            "max_abs_error": max(errors) if errors else None,
            "coverage": sum(1 for i in inside if i) / len(inside) if inside else None,
        }

    def as_json(self) -> dict[str, object]:
        return {
            **self.summary(),
            "unknown": self.unknown,
            "pairs": [p.as_json() for p in self.pairs],
        }

    def words(self) -> list[str]:
        lines = [f"estimate: {p.words()}" for p in self.pairs]
        if self.unknown is not None:
            return [*lines, f"estimator error: unknown: {self.unknown}"]
        s = self.summary()
        n, covered = len(self.compared), sum(1 for p in self.compared if p.inside)
        mean, most = s["mean_abs_error"], s["max_abs_error"]
        lines.append(
            f"estimator error over {n} estimate{'' if n == 1 else 's'} compared with the "
            f"realised metric: mean absolute {mean:.4g}, max {most:.4g}; the 95% interval "
            f"held the realised value {covered} of {n} times ({covered / n:.0%})"
        )
        return lines


def stored_estimates(loaded: LoadedConfig, results: Sequence[PointResult]) -> EstimatorError | None:
    """The estimates stored since the first replayed point, with their realised metrics (the
    state store only read); None when the project neither estimates nor stored an estimate."""
    config = loaded.config
    points = [(r.point.commit.sha, r.point.commit.time) for r in results]
    since = points[0][1] if points else None
    with reading(config.state.url, loaded.root) as conn:
        stored, compared = history(conn, config.model.name, since) if conn else ([], [])
    if not stored and config.estimation is None:
        return None
    return measure(stored, compared, points)


def measure(
    estimates: Sequence[StoredEstimate],
    comparisons: Sequence[StoredComparison],
    points: Sequence[tuple[str, datetime]],
) -> EstimatorError:
    """Each estimate with the first realised metric set beside it (the labels' arrival);
    ``points``: the replayed commits and their times, oldest first."""
    pairs = tuple(
        Pair(
            estimate,
            _point_at(points, estimate.created_at),
            next((c for c in comparisons if c.estimate_id == estimate.decision_id), None),
        )
        for estimate in estimates
    )
    if not pairs:
        return EstimatorError((), "no check stored an estimate in the replayed period")
    if not any(p.realised is not None for p in pairs):
        return EstimatorError(
            pairs,
            f"none of the {len(pairs)} estimates was compared yet with the realised metric of "
            "its rows (their labels were not read by a check with source: validation, nor "
            "by a metrics file proven to come from those rows)",
        )
    return EstimatorError(pairs)


def _point_at(points: Sequence[tuple[str, datetime]], when: datetime) -> str | None:
    found = None
    for sha, time in points:
        if time > when:
            break
        found = sha
    return found
