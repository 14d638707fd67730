"""``retrigger backtest --train``: the evaluation matrix of the replayed history, trained in
scratch clones (``retrigger.backtest.matrix``), and with ``--cost`` the schedules priced on it.

The periods are the replayed points, or with ``--every`` the first point of each interval of
that length. The retrain cost C is ``backtest.cost.retrain`` when set, else the mean measured
duration of the training stages (seconds), and the output says which.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import numpy as np

from retrigger.backtest import cost
from retrigger.backtest.costpolicy import Period, fires
from retrigger.backtest.matrix import PeriodAt, TrainedMatrix, build
from retrigger.backtest.pricing import COST_MODE_NOTE, Priced, period_rows, price
from retrigger.backtest.replay import PointResult
from retrigger.backtest.runs import PastRuns
from retrigger.backtest.scorers import scorer_for
from retrigger.config import LoadedConfig
from retrigger.config.models import CostConfig
from retrigger.errors import BadInput
from retrigger.proc import pipeline_interpreter


def train(
    loaded: LoadedConfig,
    results: Sequence[PointResult],
    every: timedelta | None,
    say: Callable[[str], None],
) -> TrainedMatrix:
    config, root = loaded.config, loaded.root
    pipeline = config.pipeline
    interpreter = pipeline_interpreter(
        root, pipeline.python, pipeline.env == "retrigger", os.environ
    )
    python = interpreter.python if interpreter.python != "unknown" else sys.executable
    env = interpreter.env()
    scorer = scorer_for(config, root, python, env, pipeline.stage_timeout)
    assert config.model.artifact is not None  # scorer_for says so otherwise
    chosen = [results[n].point for n in periods(_times(results), every)]
    points = [PeriodAt(p.commit.sha, p.commit.time, p.data_version) for p in chosen]
    return build(root, points, scorer, config.model.artifact, env, pipeline.stage_timeout, say)


def periods(times: Sequence[datetime], every: timedelta | None) -> list[int]:
    """The replayed points (by commit time) trained at: all of them, or the first of each
    ``every`` interval from the first."""
    if every is None or not times:
        return list(range(len(times)))
    chosen: dict[int, int] = {}
    for number, time in enumerate(times):
        chosen.setdefault(int((time - times[0]) / every), number)
    return sorted(chosen.values())


def _times(results: Sequence[PointResult]) -> list[datetime]:
    return [r.point.commit.time for r in results]


def retrain_cost(settings: CostConfig, trained: TrainedMatrix) -> tuple[float, str]:
    """C and where it came from; BadInput when it is neither set nor measured."""
    if settings.retrain is not None:
        return settings.retrain, "backtest.cost.retrain"
    seconds = trained.measured_seconds()
    if not seconds:
        raise BadInput(
            "backtest.cost.retrain is not set and no training duration was measured (no "
            "period trained): set backtest.cost.retrain"
        )
    value = statistics.fmean(seconds)
    return value, (
        f"the mean measured duration of the training stages over {len(seconds)} trained "
        f"model{'s' if len(seconds) != 1 else ''} (--train), in seconds"
    )


def priced(
    loaded: LoadedConfig,
    results: Sequence[PointResult],
    past: PastRuns,
    prices: CostConfig | None,
    trained: TrainedMatrix | None,
    every: timedelta | None,
) -> Priced | None:
    """``--cost``: on the trained matrix with ``--train``, else on what history recorded."""
    if prices is None:
        return None
    if trained is None:
        return price(loaded.root, results, past, loaded.config.model, prices, loaded.config.policy)
    return price_trained(loaded, results, trained, prices, every)


def price_trained(
    loaded: LoadedConfig,
    results: Sequence[PointResult],
    trained: TrainedMatrix,
    settings: CostConfig,
    every: timedelta | None,
) -> Priced:
    """The schedules priced on the trained matrix: the policy's fires at the period holding
    them (with ``policy.mode: cost``, the cost policy replayed over the matrix)."""
    chosen = periods(_times(results), every)
    picked = [results[n] for n in chosen]
    retrain, source = retrain_cost(settings, trained)
    problem = trained_problem(loaded, picked, trained, settings)
    matrix = problem.matrix
    fired, notes = _fired(loaded, results, chosen, problem)
    size = len(picked)
    cells = size * (size + 1) // 2
    known = int(np.count_nonzero(~np.isnan(matrix[np.triu_indices(size)])))
    notes = (
        f"retrain cost C = {retrain:.4g} from {source}",
        f"the matrix is trained ({trained.metric} on {trained.scorer}), not history's records",
        *notes,
    )
    return Priced(
        cost.compare(problem, fired),
        tuple(r.point.commit.sha for r in picked),
        cells - known,
        cells,
        notes,
        problem,
    )


def trained_problem(
    loaded: LoadedConfig,
    picked: Sequence[PointResult],
    trained: TrainedMatrix,
    settings: CostConfig,
) -> cost.CostProblem:
    """The trained matrix priced: C set or measured, the rows of the ``picked`` periods."""
    return cost.CostProblem(
        trained.values(),
        trained.greater_is_better,
        retrain_cost(settings, trained)[0],
        period_rows(loaded.root, picked),
        settings.staleness,
    )


def _fired(
    loaded: LoadedConfig,
    results: Sequence[PointResult],
    chosen: list[int],
    problem: cost.CostProblem,
) -> tuple[list[int], tuple[str, ...]]:
    """The periods the policy retrains at, and a note when it is the cost policy's replay."""
    policy = loaded.config.policy
    if policy.mode == "cost":
        picked = [results[n].point for n in chosen]
        found = [Period(p.commit.time, p.data_version) for p in picked]
        return fires(problem, found, policy), (COST_MODE_NOTE,)
    fired = {_holding(chosen, n) for n, r in enumerate(results) if r.verdict.fire}
    return sorted(p for p in fired if p >= 0), ()


def _holding(chosen: list[int], number: int) -> int:
    """The period whose interval holds replayed point ``number`` (-1: before the first)."""
    found = [k for k, first in enumerate(chosen) if first <= number]
    return found[-1] if found else -1
