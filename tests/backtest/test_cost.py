"""What a retraining schedule costs, and the Oracle (retrigger/backtest/cost.py).

The hand-computed history, six periods, accuracy in percent (greater is better), rows
(10, 10, 20, 10, 10, 10), 0.5 per row per point lost, a retrain costs C = 30::

    trained at \\ scored on   0   1   2   3   4   5
    0                        90  89  80  78  76  75
    1                            90  82  80  78  77
    2                                90  89  88  80
    3                                    90  89  81
    4                                        90  82
    5                                            90

staleness(i, j) = rows_j * 0.5 * (90 - M[i][j]):

    0:  j1 5   j2 100  j3 60  j4 70  j5 75
    1:         j2 80   j3 50  j4 60  j5 65
    2:                 j3 5   j4 10  j5 50
    3:                        j4 5   j5 45
    4:                               j5 40

never = 5+100+60+70+75 = 310; every period = 5 x 30 = 150.
Any schedule not retraining at 2 pays >= 80 at period 2 alone, so retrain at 2: 30 + 5 (j1) and
then keeping 2 costs 5+10+50 = 65 (J 100); also retraining at 5 swaps 50 for 30: J = 80;
at 4 instead: 30+0+40 replaces 10+50 (J 110); at 3 and 5: 35+60+5 (J 100). Oracle: {2, 5}, 80.

Best fixed period: tuned on periods 0-2: k=1 costs 60, k=2 costs 30+5 = 35, k=3 costs 105 → k=2.
Scored on periods 3-5 (3 freshly trained): retrain at 5: 30 + 5 = 35; the Oracle there: never
5+45 = 50, at 4 70, at 5 35, at 4 and 5 60 → 35, ratio 1.0.

A policy retraining at 1 and 4: 60 + 0 + 80 + 50 + 0 + 40 = 230, ratio 230 / 80 = 2.875.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from retrigger.backtest import cost
from retrigger.errors import BadInput

NAN = float("nan")
HAND: list[list[float]] = [
    [90, 89, 80, 78, 76, 75],
    [NAN, 90, 82, 80, 78, 77],
    [NAN, NAN, 90, 89, 88, 80],
    [NAN, NAN, NAN, 90, 89, 81],
    [NAN, NAN, NAN, NAN, 90, 82],
    [NAN, NAN, NAN, NAN, NAN, 90],
]
ROWS = (10.0, 10.0, 20.0, 10.0, 10.0, 10.0)


def problem(matrix: list[list[float]] = HAND, greater: bool = True) -> cost.CostProblem:
    return cost.CostProblem(np.array(matrix, dtype=float), greater, 30.0, ROWS, 0.5)


def test_the_oracle_of_the_hand_computed_history_retrains_at_2_and_5_for_80() -> None:
    report = cost.compare(problem(), policy=[1, 4])
    assert report.oracle.retrains == (2, 5)
    assert report.oracle.cost == 80.0
    assert report.never.cost == 310.0
    assert report.every.cost == 150.0
    assert report.policy is not None and report.policy.cost == 230.0
    assert report.regret(report.policy) == 2.875
    assert report.regret(report.never) == 310.0 / 80.0


def test_the_best_fixed_period_is_tuned_on_the_first_half_and_scored_on_the_second() -> None:
    fixed = cost.compare(problem()).fixed
    assert fixed is not None
    assert fixed.k == 2 and fixed.tuned_on == (0, 2)
    assert fixed.scored is not None and fixed.scored.periods == (3, 5)
    assert fixed.scored.retrains == (5,) and fixed.scored.cost == 35.0
    assert fixed.oracle.cost == 35.0 and fixed.regret == 1.0


def test_the_tuning_never_sees_the_scored_periods_nor_the_score_the_tuned_ones() -> None:
    base = cost.best_fixed_period(problem())
    later = [row[:] for row in HAND]
    later[3][4] = later[4][5] = 10  # the scored half made very different
    tuned = cost.best_fixed_period(problem(later))
    assert base is not None and tuned is not None
    assert tuned.k == base.k  # the choice ignores the scored periods
    earlier = [row[:] for row in HAND]
    earlier[0][1] = earlier[0][2] = earlier[1][2] = 89.5  # the tuning half made different
    scored = cost.best_fixed_period(problem(earlier))
    assert scored is not None and scored.k == 3  # now never retraining wins the tuning…
    assert scored.scored is not None and scored.scored.retrains == ()
    assert scored.scored.cost == 50.0  # …and is scored on periods 3-5 only (5 + 45)


def test_lower_is_better_is_mirrored() -> None:
    errors = [[100 - v for v in row] for row in HAND]
    mirrored = cost.compare(problem(errors, greater=False), policy=[1, 4])
    assert mirrored.oracle.retrains == (2, 5) and mirrored.oracle.cost == 80.0
    assert mirrored.policy is not None and mirrored.policy.cost == 230.0
    assert mirrored.never.cost == 310.0


def test_a_model_better_than_the_fresh_one_costs_nothing_not_a_credit() -> None:
    better = [row[:] for row in HAND]
    better[0][1] = 95
    assert cost.staleness(problem(better), 0, 1) == 0.0


def test_an_unknown_cell_is_never_guessed_and_the_oracle_avoids_it() -> None:
    holes = [row[:] for row in HAND]
    holes[2][5] = NAN
    report = cost.compare(problem(holes), policy=[2])
    assert report.policy is not None and report.policy.cost is None
    assert report.policy.unknown == ((2, 5),)
    assert report.policy.staleness == 20.0  # the known part: 5 + 5 + 10
    assert report.regret(report.policy) is None
    assert report.oracle.retrains == (2, 5) and report.oracle.cost == 80.0
    holes[3][4] = holes[4][5] = holes[2][4] = NAN
    assert cost.oracle(problem(holes)).retrains == (2, 4, 5)  # the cheapest all-known one


def brute_force(p: cost.CostProblem) -> float:
    found = []
    for picks in itertools.product([False, True], repeat=p.periods - 1):
        retrains = [period + 1 for period, pick in enumerate(picks) if pick]
        value = cost.schedule_cost(p, retrains, "brute").cost
        if value is not None:
            found.append(value)
    return min(found)


@pytest.mark.parametrize("seed", range(25))
def test_the_dynamic_programme_equals_brute_force_over_all_32_schedules(seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = np.triu(0.9 - rng.uniform(0, 0.3, (6, 6)).cumsum(axis=1) / 3)
    matrix[np.tril_indices(6, -1)] = np.nan
    np.fill_diagonal(matrix, 0.9 + rng.uniform(-0.05, 0.05, 6))
    if seed % 3 == 0:
        matrix[0, rng.integers(1, 6)] = np.nan  # some unknown cells too
    p = cost.CostProblem(
        matrix, seed % 2 == 0, float(rng.uniform(0, 50)), tuple(rng.uniform(1, 100, 6)), 1.0
    )
    best = cost.oracle(p)
    assert best.cost is not None
    assert best.cost == pytest.approx(brute_force(p))


@pytest.mark.parametrize(
    ("shape", "rows", "message"),
    [((2, 3), 2, "square"), ((3, 3), 2, "2 row counts for 3 periods")],
)
def test_a_malformed_problem_is_refused_in_one_line(
    shape: tuple[int, int], rows: int, message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        cost.CostProblem(np.zeros(shape), True, 1.0, (1.0,) * rows, 1.0)
