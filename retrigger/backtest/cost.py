"""What a retraining schedule costs, and the cheapest schedule in hindsight (the Oracle).

Pure arithmetic over an evaluation matrix ``M[i][j]``: the metric of the model trained at period
``i`` scored on period ``j >= i`` (NaN where unknown). Following CARA (Mahadevan & Mathioudakis,
2024), keeping model ``i`` at period ``j`` costs its *staleness*, the rows of ``j`` times a price
per row times the metric it loses against the fresh model ``M[j][j]``; each retrain costs ``C``::

    J(schedule) = C * R + sum_j staleness(last retrain <= j, j)

Period 0 of a window is always trained and not charged (every schedule pays it alike). A cell
whose staleness is unknown is never guessed: a schedule that needs one has no ``cost`` (only its
known part and the unknown cells), and the Oracle is the cheapest schedule that needs none;
retraining every period always qualifies, since a fresh model loses nothing against itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from retrigger.errors import BadInput


@dataclass(frozen=True)
class CostProblem:
    matrix: NDArray[np.float64]  # T x T, row = trained at, column = scored on
    greater_is_better: bool
    retrain_cost: float
    rows: tuple[float, ...]  # labelled rows of each period
    price_per_row: float
    start: int = 0  # the absolute period of row 0, when this is a window of a longer history

    def __post_init__(self) -> None:
        shape = self.matrix.shape
        if len(shape) != 2 or shape[0] != shape[1] or shape[0] == 0:
            raise BadInput(f"cost: the evaluation matrix must be square and non-empty, not {shape}")
        if len(self.rows) != shape[0]:
            raise BadInput(f"cost: {len(self.rows)} row counts for {shape[0]} periods")
        if self.retrain_cost < 0 or self.price_per_row < 0 or any(r < 0 for r in self.rows):
            raise BadInput("cost: the retrain cost, the price per row and row counts must be >= 0")

    @property
    def periods(self) -> int:
        return int(self.matrix.shape[0])

    def window(self, first: int, stop: int) -> CostProblem:
        """Periods ``first..stop-1`` as a problem of their own, ``first`` trained."""
        return CostProblem(
            self.matrix[first:stop, first:stop],
            self.greater_is_better,
            self.retrain_cost,
            self.rows[first:stop],
            self.price_per_row,
            self.start + first,
        )


@dataclass(frozen=True)
class ScheduleCost:
    name: str
    retrains: tuple[int, ...]  # absolute periods retrained at, the window's first excluded
    staleness: float  # summed over the known cells only
    unknown: tuple[tuple[int, int], ...]  # (trained at, scored on) cells it needed but unknown
    retrain_cost: float
    periods: tuple[int, int]  # absolute first and last period scored

    @property
    def cost(self) -> float | None:
        """J, or None when a cell it needs is unknown."""
        if self.unknown:
            return None
        return self.retrain_cost * len(self.retrains) + self.staleness


@dataclass(frozen=True)
class FixedPeriod:
    """Retrain every ``k`` periods, ``k`` chosen on ``tuned_on`` and scored on ``scored``'s."""

    k: int | None  # None: no k had a known cost on the tuning periods
    tuned_on: tuple[int, int]
    scored: ScheduleCost | None
    oracle: ScheduleCost  # the Oracle over the scored periods, for its regret ratio

    @property
    def regret(self) -> float | None:
        return regret(self.scored, self.oracle) if self.scored is not None else None


@dataclass(frozen=True)
class CostReport:
    oracle: ScheduleCost
    never: ScheduleCost
    every: ScheduleCost
    fixed: FixedPeriod | None  # None when the history is too short to split (< 4 periods)
    policy: ScheduleCost | None

    def regret(self, schedule: ScheduleCost) -> float | None:
        return regret(schedule, self.oracle)


def staleness(problem: CostProblem, i: int, j: int) -> float:
    """What keeping model ``i`` at period ``j`` costs (window-relative indices); NaN: unknown."""
    if i == j:
        return 0.0
    fresh, kept = problem.matrix[j, j], problem.matrix[i, j]
    gap = float(fresh - kept if problem.greater_is_better else kept - fresh)
    rows = problem.rows[j]
    if math.isnan(gap) or math.isnan(rows):
        return math.nan  # max(0, NaN) would be 0: an unknown cell priced as free
    return rows * problem.price_per_row * max(0.0, gap)


def schedule_cost(problem: CostProblem, retrains: Sequence[int], name: str) -> ScheduleCost:
    """J of retraining at the absolute periods ``retrains`` (others outside the window ignored)."""
    at = sorted({p - problem.start for p in retrains if 0 < p - problem.start < problem.periods})
    total, unknown, model = 0.0, [], 0
    for j in range(problem.periods):
        if at and at[0] == j:
            model = at.pop(0)
        value = staleness(problem, model, j)
        if math.isnan(value):
            unknown.append((problem.start + model, problem.start + j))
        else:
            total += value
    return ScheduleCost(
        name,
        tuple(p for p in sorted(set(retrains)) if 0 < p - problem.start < problem.periods),
        total,
        tuple(unknown),
        problem.retrain_cost,
        (problem.start, problem.start + problem.periods - 1),
    )


def oracle(problem: CostProblem) -> ScheduleCost:
    """The cheapest schedule with every cell known, by dynamic programming in O(T^2).

    ``best[s]`` is the least cost of periods ``0..s-1`` when a model is trained at ``s``; a
    segment trained at ``s`` and kept through ``e`` adds C (unless s = 0) and its staleness.
    """
    t = problem.periods
    best, came_from = [math.inf] * (t + 1), [0] * (t + 1)
    best[0] = 0.0
    for s in range(t):
        running = best[s] + (problem.retrain_cost if s > 0 else 0.0)
        for e in range(s, t):
            cell = staleness(problem, s, e)
            if math.isnan(cell):
                break  # every longer segment from s needs this unknown cell too
            running += cell
            if running < best[e + 1]:  # a tie keeps the earlier last retrain
                best[e + 1], came_from[e + 1] = running, s
    starts, end = [], t
    while end > 0:
        starts.append(came_from[end])
        end = came_from[end]
    return schedule_cost(problem, [problem.start + s for s in starts if s > 0], "oracle")


def every_period(problem: CostProblem) -> ScheduleCost:
    return schedule_cost(problem, range(problem.start, problem.start + problem.periods), "every")


def never(problem: CostProblem) -> ScheduleCost:
    return schedule_cost(problem, [], "never")


def fixed_schedule(problem: CostProblem, k: int) -> list[int]:
    return list(range(problem.start + k, problem.start + problem.periods, k))


def best_fixed_period(problem: CostProblem, split: int | None = None) -> FixedPeriod | None:
    """Tune k on periods ``0..split-1`` (default: the first half), score it on the rest: never
    on the same ones.

    Ties go to the larger k (fewer retrains). Both parts start freshly trained.
    """
    half = problem.periods // 2 if split is None else split
    if half < 2 or problem.periods - half < 1:
        return None
    tune, score = problem.window(0, half), problem.window(half, problem.periods)
    chosen: tuple[float, int] | None = None
    for k in range(1, half + 1):
        cost = schedule_cost(tune, fixed_schedule(tune, k), f"every {k}").cost
        if cost is not None and (chosen is None or cost <= chosen[0]):
            chosen = (cost, k)
    scored = None
    if chosen is not None:
        k = chosen[1]
        scored = schedule_cost(score, fixed_schedule(score, k), f"every {k} periods")
    return FixedPeriod(
        chosen[1] if chosen else None,
        (tune.start, tune.start + half - 1),
        scored,
        oracle(score),
    )


def regret(schedule: ScheduleCost, best: ScheduleCost) -> float | None:
    """J(schedule) / J(Oracle); None when either is unknown, or when only the Oracle costs 0."""
    cost, least = schedule.cost, best.cost
    if cost is None or least is None:
        return None
    if least == 0:
        return 1.0 if cost == 0 else None
    return cost / least


def compare(problem: CostProblem, policy: Sequence[int] | None = None) -> CostReport:
    """The Oracle, never, every period, the best fixed period and (if given) a policy's schedule."""
    return CostReport(
        oracle(problem),
        never(problem),
        every_period(problem),
        best_fixed_period(problem),
        schedule_cost(problem, policy, "policy") if policy is not None else None,
    )


def as_json(schedule: ScheduleCost, oracle: ScheduleCost) -> dict[str, object]:
    """A schedule's cost as ``--cost --json`` and ``--tune --json`` print it."""
    return {
        "retrains": list(schedule.retrains),
        "cost": schedule.cost,
        "known_staleness": schedule.staleness,
        "unknown_cells": [list(cell) for cell in schedule.unknown],
        "periods": list(schedule.periods),
        "regret": regret(schedule, oracle),
    }
