"""``backtest --tune``'s engine (retrigger/backtest/tune.py, costpolicy.py), by hand.

The six-period matrix of tests/backtest/test_cost.py (C = 30, 0.5 per row per point lost,
every diagonal 90, so the cost policy's increments equal the staleness cells)::

    0:  j1 5   j2 100  j3 60  j4 70  j5 75
    1:         j2 80   j3 50  j4 60  j5 65
    2:                 j3 5   j4 10  j5 50
    3:                        j4 5   j5 45
    4:                               j5 40

The cost policy with ``policy.cost.retrain: 4`` (the thresholds tried: 4 × 1, 0.1, 0.16, 0.25,
0.4, 0.63, 1.6, 2.5, 4, 6.3, 10), tuned on periods 0-2 (split 0.5) and scored on periods 3-5,
period 3 freshly trained:

- threshold 4, 0.4, 0.64, 1, 1.6 or 2.52 (≤ 5): +5 at 1 fires, +80 at 2 fires: retrains {1, 2},
  J = 60;
- threshold 6.4, 10, 16, 25.2 or 40: 5 at 1 holds, 105 at 2 fires: retrains {2}, J = 30 + 5 = 35
  → 6.4 chosen (the later ones tie and do not move the choice);
- scored: threshold 6.4 from 3: +5 at 4, 50 at 5 fires: {5}, J = 30 + 5 = 35 (the Oracle there,
  regret 1.00); the configured 4: +5 at 4 fires, +40 at 5 fires: {4, 5}, J = 60, regret 1.71.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from retrigger.backtest import cost, costpolicy, tune
from retrigger.config import load_config
from retrigger.config.models import CostConfig, PolicyConfig
from retrigger.errors import BadInput
from tests.backtest.test_cost import HAND, NAN, problem

DAY0 = datetime(2026, 1, 1, tzinfo=UTC)


def periods(first: int, stop: int) -> list[costpolicy.Period]:
    return [costpolicy.Period(DAY0 + timedelta(days=j), f"v{j}") for j in range(first, stop)]


def policy(retrain: float, cooldown: timedelta = timedelta(0)) -> PolicyConfig:
    return PolicyConfig(
        mode="cost", cost=CostConfig(retrain=retrain, staleness=0.5), cooldown=cooldown
    )


def test_the_cost_policy_over_the_matrix_retrains_where_the_hand_computation_says() -> None:
    whole = problem()
    # 5, then 105 >= 30 at 2; from 2: 5, 15, then 65 >= 30 at 5: the Oracle's own schedule.
    assert costpolicy.fires(whole, periods(0, 6), policy(30)) == [2, 5]
    # The cooldown holds as live: 5 is 3 days after 2.
    assert costpolicy.fires(whole, periods(0, 6), policy(30, timedelta(days=5))) == [2]


def test_an_unknown_cell_adds_nothing_and_never_fires() -> None:
    holes = [row[:] for row in HAND]
    holes[0][2] = NAN
    # 5 at 1; period 2 unknown (no fire, nothing added); 5 + 60 = 65 >= 30 at 3.
    assert costpolicy.fires(problem(holes), periods(0, 6), policy(30))[0] == 3


def hand_outcome(retrain: float, matrix: list[list[float]] = HAND) -> tune.Outcome:
    """The cost policy at ``policy.cost.retrain: retrain``, tuned and scored at split 0.5."""
    whole = problem(matrix)
    knobs = [tune.knob("policy.cost.retrain", retrain, "number", tune.COST_FACTORS)]

    def fires(window: cost.CostProblem, setting: tune.Setting) -> list[int]:
        at = periods(window.start, window.start + window.periods)
        return costpolicy.fires(window, at, policy(setting[0]))

    return tune.tune_and_score(whole, tune.split_at(whole.periods, 0.5), knobs, fires)


def test_tune_chooses_the_cheapest_threshold_on_0_2_and_scores_it_on_3_5_only() -> None:
    outcome = hand_outcome(4)

    assert (outcome.tuned_on.start, outcome.tuned_on.periods) == (0, 3)
    assert (outcome.scored_on.start, outcome.scored_on.periods) == (3, 3)
    tried = {round(t.setting[0], 6): (t.cost, t.retrains) for t in outcome.search.tried}
    early, late = (60.0, (1, 2)), (35.0, (2,))
    assert tried == {4: early, 0.4: early, 0.64: early, 1: early, 1.6: early, 2.52: early} | {
        6.4: late,
        10: late,
        16: late,
        25.2: late,
        40: late,
    }
    assert outcome.search.chosen is not None
    assert outcome.search.chosen.setting == pytest.approx((6.4,))
    assert outcome.tuned is not None
    assert (outcome.tuned.retrains, outcome.tuned.cost) == ((5,), 35.0)
    assert outcome.configured.retrains == (4, 5) and outcome.configured.cost == 60.0
    assert outcome.oracle.cost == 35.0
    assert cost.regret(outcome.configured, outcome.oracle) == pytest.approx(60 / 35)
    assert tune.diff_lines(outcome.search.knobs, outcome.search.chosen.setting) == [
        " policy:",
        "   cost:",
        "-    retrain: 4",
        "+    retrain: 6.4",
    ]


def test_the_scored_periods_never_change_the_choice() -> None:
    later = [row[:] for row in HAND]
    later[3][4], later[3][5] = 10, 10  # keeping model 3 becomes ruinous on the scored part
    outcome = hand_outcome(4, later)
    assert outcome.search.chosen is not None
    assert outcome.search.chosen.setting == pytest.approx((6.4,))
    assert [t.retrains for t in outcome.search.tried if max(t.retrains, default=0) > 2] == []


def test_a_setting_whose_cost_needs_an_unknown_cell_is_never_chosen() -> None:
    holes = [row[:] for row in HAND]
    holes[0][1] = NAN  # every setting that keeps model 0 through period 1 is unknown there
    outcome = hand_outcome(4, holes)
    # 4, 2, 1: period 1 unknown adds nothing and does not fire; 100 at 2 fires: needs (0, 1).
    assert outcome.search.unknown == len(outcome.search.tried)
    assert outcome.search.chosen is None and outcome.tuned is None
    holes = [row[:] for row in HAND]
    holes[0][2] = NAN  # 8 and above (hold at 1, keep model 0 at 2) are unknown; ≤ 5 is not
    found = hand_outcome(8, holes).search
    # 8 × 0.1 = 0.8 is the first tried that fires at 1: {1, 2}, J = 60.
    assert found.chosen is not None and found.chosen.cost == 60
    assert found.chosen.setting == pytest.approx((0.8,))


@pytest.mark.parametrize("count", range(4, 41))
def test_the_split_never_overlaps_and_leaves_two_periods_each_side(count: int) -> None:
    for share in (0.01, 0.25, 0.5, 0.75, 0.99):
        first = tune.split_at(count, share)
        tuned, scored = set(range(first)), set(range(first, count))
        assert not tuned & scored and tuned | scored == set(range(count))
        assert len(tuned) >= 2 and len(scored) >= 2


@pytest.mark.parametrize(
    ("count", "share", "said"),
    [(3, 0.5, "at least 4 periods"), (10, 1.0, r"in \(0, 1\)"), (10, 0, r"in \(0, 1\)")],
)
def test_a_split_that_cannot_be_made_is_bad_input(count: int, share: float, said: str) -> None:
    with pytest.raises(BadInput, match=said):
        tune.split_at(count, share)


def test_the_knobs_are_the_thresholds_the_config_enables_and_the_diff_is_yaml(
    tmp_path: Path,
) -> None:
    path = tmp_path / "retrigger.yaml"
    path.write_text(
        "model: {name: churn}\ndata: [data.csv]\n"
        "signals: {performance: {max_drop: 0.05}, schedule: {max_age: 30d}}\n",
        encoding="utf-8",
    )
    found = tune.knobs(load_config(path).config)

    assert [(k.key, [k.text(v) for v in k.values]) for k in found] == [
        ("signals.performance.max_drop", ["0.05", "0.0375", "0.075", "0.025", "0.1"]),
        ("signals.schedule.max_age", ["30d", "540h", "45d", "15d", "60d"]),
    ]
    assert tune.diff_lines(found, (0.1, 45 * 86400.0)) == [
        " signals:",
        "   performance:",
        "-    max_drop: 0.05",
        "+    max_drop: 0.1",
        "   schedule:",
        "-    max_age: 30d",
        "+    max_age: 45d",
    ]
    assert tune.diff_lines(found, (0.05, 45 * 86400.0))[1:] == [
        "   schedule:",
        "-    max_age: 30d",
        "+    max_age: 45d",
    ]
    cost_mode = "policy: {mode: cost, cost: {retrain: 38000, staleness: 0.5}}\n"
    path.write_text(path.read_text(encoding="utf-8") + cost_mode, encoding="utf-8")
    path.write_text(
        path.read_text(encoding="utf-8").replace("max_drop: 0.05}", "max_drop: 0.05}, volume: {}"),
        encoding="utf-8",
    )
    (only,) = tune.knobs(load_config(path).config)
    assert only.key == "policy.cost.retrain"
    assert [only.text(v) for v in only.values] == [
        "38000",
        "3800",
        "6080",
        "9500",
        "15200",
        "23940",
        "60800",
        "95000",
        "152000",
        "239400",
        "380000",
    ]


def test_the_replay_measures_staleness_against_the_mean_fresh_level_of_its_retrains() -> None:
    """Rows 10 each, 1 per row per point, C = 100; period 2 is an easy one (its fresh 96)::

        j1: 10 × (80 − 78) = 20; j2: 10 × (80 − 70) = 100 → 120 ≥ 100: retrain at 2.
        From 2 the expected fresh level is the mean of 80 and 96, 88 (not 96 alone):
        j3: 10 × (88 − 86) = 20; j4: 10 × (88 − 84) = 40 → 60; j5: 10 × (88 − 80) = 80 → 140.

    Against model 2's own 96, j3 would add 10 × 10 = 100 and retrain at 3 on a model that lost
    2 points against the usual fresh one."""
    matrix = [[NAN] * 6 for _ in range(6)]
    matrix[0][:3] = [80, 78, 70]
    matrix[2][2:] = [96, 86, 84, 80]
    matrix[3][3:] = [90, 89, 85]
    matrix[4][4], matrix[5][5] = 90, 90
    whole = cost.CostProblem(np.array(matrix), True, 100.0, (10.0,) * 6, 1.0)
    prices = CostConfig(retrain=100, staleness=1)
    assert costpolicy.fires(whole, periods(0, 6), PolicyConfig(mode="cost", cost=prices)) == [2, 5]
