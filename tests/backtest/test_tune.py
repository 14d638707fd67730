"""``backtest --tune``'s engine (retrigger/backtest/tune.py, costpolicy.py), by hand.

The six-period matrix of tests/backtest/test_cost.py (C = 30, 0.5 per row per point lost,
every diagonal 90, so the cost policy's increments equal the staleness cells)::

    0:  j1 5   j2 100  j3 60  j4 70  j5 75
    1:         j2 80   j3 50  j4 60  j5 65
    2:                 j3 5   j4 10  j5 50
    3:                        j4 5   j5 45
    4:                               j5 40

The cost policy with ``policy.cost.retrain: 4`` (the thresholds tried: 4, 2, 8, 1, 16), tuned
on periods 0-2 (split 0.5) and scored on periods 3-5, period 3 freshly trained:

- threshold 4, 2 or 1: +5 at 1 fires, +80 at 2 fires: retrains {1, 2}, J = 60;
- threshold 8 or 16: 5 at 1 holds, 105 at 2 fires: retrains {2}, J = 30 + 5 = 35 → 8 chosen
  (16 ties and does not move the choice);
- scored: threshold 8 from 3: +5 at 4, 50 at 5 fires: {5}, J = 30 + 5 = 35 (the Oracle there,
  regret 1.00); the configured 4: +5 at 4 fires, +40 at 5 fires: {4, 5}, J = 60, regret 1.71.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

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
    tried = {t.setting[0]: (t.cost, t.retrains) for t in outcome.search.tried}
    assert tried == {
        4: (60.0, (1, 2)),
        2: (60.0, (1, 2)),
        8: (35.0, (2,)),
        1: (60.0, (1, 2)),
        16: (35.0, (2,)),
    }
    assert outcome.search.chosen is not None and outcome.search.chosen.setting == (8,)
    assert outcome.tuned is not None
    assert (outcome.tuned.retrains, outcome.tuned.cost) == ((5,), 35.0)
    assert outcome.configured.retrains == (4, 5) and outcome.configured.cost == 60.0
    assert outcome.oracle.cost == 35.0
    assert cost.regret(outcome.configured, outcome.oracle) == pytest.approx(60 / 35)
    assert tune.diff_lines(outcome.search.knobs, outcome.search.chosen.setting) == [
        " policy:",
        "   cost:",
        "-    retrain: 4",
        "+    retrain: 8",
    ]


def test_the_scored_periods_never_change_the_choice() -> None:
    later = [row[:] for row in HAND]
    later[3][4], later[3][5] = 10, 10  # keeping model 3 becomes ruinous on the scored part
    outcome = hand_outcome(4, later)
    assert outcome.search.chosen is not None and outcome.search.chosen.setting == (8,)
    assert [t.retrains for t in outcome.search.tried if max(t.retrains, default=0) > 2] == []


def test_a_setting_whose_cost_needs_an_unknown_cell_is_never_chosen() -> None:
    holes = [row[:] for row in HAND]
    holes[0][1] = NAN  # every setting that keeps model 0 through period 1 is unknown there
    outcome = hand_outcome(4, holes)
    # 4, 2, 1: period 1 unknown adds nothing and does not fire; 100 at 2 fires: needs (0, 1).
    assert outcome.search.unknown == len(outcome.search.tried)
    assert outcome.search.chosen is None and outcome.tuned is None
    holes = [row[:] for row in HAND]
    holes[0][2] = NAN  # 8 and 16 (hold at 1, keep model 0 at 2) are unknown; 4 is not
    found = hand_outcome(8, holes).search
    assert found.chosen is not None and found.chosen.setting == (4,) and found.chosen.cost == 60


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
    assert [only.text(v) for v in only.values] == ["38000", "19000", "76000", "9500", "152000"]
