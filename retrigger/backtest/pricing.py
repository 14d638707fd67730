"""``backtest --cost``: the evaluation matrix a history already holds, priced by ``cost``.

Periods are the replayed points. A cell ``M[i][j]`` is known only where history recorded it:
the metric at point ``j`` (metrics file or MLflow run) belongs to the model really in use then,
whose row is the first point holding the data version it was trained on; a real retrain's or a
baseline run's own logged metric fills the diagonal of its data version's point (the metrics
file at that point wins). Nothing is trained, so the rest is NaN and counted as unknown.
The rows of period ``j`` are the rows its data version added since point ``j-1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from retrigger.backtest import cost
from retrigger.backtest.costpolicy import Period, fires
from retrigger.backtest.replay import PointResult
from retrigger.backtest.runs import PastRuns
from retrigger.config.models import BacktestCostConfig, ModelConfig, PolicyConfig
from retrigger.data.delta import compute_delta, from_md5s
from retrigger.errors import BadInput

COST_MODE_NOTE = (
    "policy.mode: cost is replayed over the matrix (staleness since each retrain against "
    "policy.cost.retrain): the table's verdicts do not show its retrains"
)


@dataclass(frozen=True)
class Priced:
    report: cost.CostReport
    commits: tuple[str, ...]  # the commit of each period
    unknown_cells: int  # of the T(T+1)/2 upper-triangular cells
    cells: int
    notes: tuple[str, ...] = ()
    problem: cost.CostProblem | None = None  # the priced matrix, for the page's cost chart

    def as_json(self) -> dict[str, object]:
        report = self.report
        fixed = report.fixed
        return {
            "summary": self.regret_line(),
            "commits": list(self.commits),
            "unknown_cells": self.unknown_cells,
            "cells": self.cells,
            "notes": list(self.notes),
            "policy": cost.as_json(report.policy, report.oracle) if report.policy else None,
            "oracle": cost.as_json(report.oracle, report.oracle),
            "never": cost.as_json(report.never, report.oracle),
            "every_period": cost.as_json(report.every, report.oracle),
            "best_fixed": None
            if fixed is None
            else {
                "k": fixed.k,
                "tuned_on": list(fixed.tuned_on),
                "scored": cost.as_json(fixed.scored, fixed.oracle) if fixed.scored else None,
                "oracle": cost.as_json(fixed.oracle, fixed.oracle),
            },
        }

    def regret_line(self) -> str:
        """The one line at the top of the output."""
        report, policy = self.report, self.report.policy
        assert policy is not None
        count = len(policy.retrains)
        parts = [f"policy J {_money(policy.cost)} ({count} retrain{'' if count == 1 else 's'})"]
        parts.append(f"Oracle J {_money(report.oracle.cost)} at {_at(report.oracle)}")
        parts.append(f"regret {_ratio(report.regret(policy))}")
        parts.append(f"never {_money(report.never.cost)}")
        parts.append(f"every period {_money(report.every.cost)}")
        fixed = report.fixed
        if fixed is not None and fixed.scored is not None:
            parts.append(
                f"every {fixed.k} (tuned on periods 0-{fixed.tuned_on[1]}) "
                f"{_money(fixed.scored.cost)} on periods {fixed.scored.periods[0]}-"
                f"{fixed.scored.periods[1]}, regret {_ratio(fixed.regret)}"
            )
        unknown = f"{self.unknown_cells} of {self.cells} matrix cells unknown"
        return f"cost: {'; '.join(parts)} ({unknown}: the Oracle is over known cells only)"


def price(
    root: Path,
    results: Sequence[PointResult],
    past: PastRuns,
    model: ModelConfig,
    settings: BacktestCostConfig,
    policy: PolicyConfig | None = None,
) -> Priced | None:
    """None when there is no point to price. With ``policy.mode: cost`` the policy's schedule
    is the cost policy replayed over the matrix (the signals' replay cannot run it)."""
    if not results:
        return None
    if settings.retrain is None:  # measured only by --train (retrigger.commands.backtest_train)
        raise BadInput("backtest.cost.retrain is not set; set it, or add --train")
    matrix = evaluation_matrix(results, past, model.metric)
    problem = cost.CostProblem(
        matrix,
        model.greater_is_better,
        settings.retrain,
        period_rows(root, results),
        settings.staleness,
    )
    fired = [number for number, result in enumerate(results) if result.verdict.fire]
    notes: tuple[str, ...] = ()
    if policy is not None and policy.mode == "cost":
        periods = [Period(r.point.commit.time, r.point.data_version) for r in results]
        fired = fires(problem, periods, policy)
        notes = (COST_MODE_NOTE,)
    cells = len(results) * (len(results) + 1) // 2
    known = int(np.count_nonzero(~np.isnan(matrix[np.triu_indices(len(results))])))
    first = results[0]
    if first.trained.data_version != first.point.data_version:
        notes += (
            f"the model in use at period 0 was trained on other data ({first.trained.what}); "
            "every schedule is priced as if period 0 were freshly trained",
        )
    return Priced(
        cost.compare(problem, fired),
        tuple(r.point.commit.sha for r in results),
        cells - known,
        cells,
        notes,
        problem,
    )


def evaluation_matrix(
    results: Sequence[PointResult], past: PastRuns, metric: str
) -> NDArray[np.float64]:
    size = len(results)
    matrix = np.full((size, size), np.nan)
    versions = [r.point.data_version for r in results]
    for j, result in enumerate(results):
        point = result.point
        found = past.reference_at(point.commit.time)
        i = _row(versions, found[0].data_version if found else None, j)
        if i is not None and point.metric is not None:
            matrix[i, j] = point.metric
    for run in [*past.retrains, *past.baselines]:
        i = _row(versions, run.data_version, size - 1)
        own = run.metrics.get(metric)
        if i is not None and own is not None and math.isfinite(own) and math.isnan(matrix[i, i]):
            matrix[i, i] = own
    return matrix


def period_rows(root: Path, results: Sequence[PointResult]) -> tuple[float, ...]:
    """Rows each point's data added since the previous point; NaN when unknown."""
    rows: list[float] = []
    before: dict[str, str] = {}
    for result in results:
        point = result.point
        delta = compute_delta(root, from_md5s(list(point.outs), before), point.outs, tolerant=True)
        counts = [_added(p.new.rows, p.old.rows) for p in delta.paths]
        rows.append(
            math.nan if None in counts or not counts else float(sum(c or 0 for c in counts))
        )
        before = point.md5s or before
    return tuple(rows)


def _added(new: int | None, old: int | None) -> int | None:
    if new is None:
        return None
    return max(0, new - (old or 0))


def _row(versions: Sequence[str | None], version: str | None, last: int) -> int | None:
    """The first point (up to ``last``) holding the data version a model was trained on."""
    if version is None:
        return None
    return next((n for n, v in enumerate(versions[: last + 1]) if v == version), None)


def _money(value: float | None) -> str:
    return "unknown" if value is None else f"{value:,.4g}"


def _ratio(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def _at(schedule: cost.ScheduleCost) -> str:
    return (
        "periods " + ", ".join(str(p) for p in schedule.retrains)
        if schedule.retrains
        else "no retrain"
    )
