"""The cost policy's reading is pure: what cannot be measured is unknown and never fires."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrigger.config.models import CostConfig, PolicyConfig
from retrigger.decision import Reading
from retrigger.policy import History, decide
from retrigger.signals.cost import Earlier, Fresh, cost_reading, expected

PRICES = CostConfig(retrain=30, staleness=1)
FRESH = Fresh("run-1", 0.9, "baseline run run-1 accuracy")
NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
NAN_LEVEL = float("nan")
BEFORE = [Earlier("d-2", 10.0, 150.0), Earlier("d-1", 10.0, 100.0)]  # newest first, 20 so far


def _volume(rows: float | None) -> Reading:
    return Reading("volume", rows, None, False, "rows", unknown=rows is None)


def test_an_unknown_metric_is_unknown_and_never_fires_even_past_the_cost() -> None:
    performance = Reading("performance", None, None, False, "cannot be estimated", unknown=True)
    earlier = [Earlier("d-1", 100.0, 100.0)]  # already past the cost: still no guess now

    reading = cost_reading([performance, _volume(500)], FRESH, earlier, PRICES, True)
    verdict = decide([reading], History(), PolicyConfig(mode="cost", cost=PRICES), "v2", NOW)

    assert reading.unknown and not reading.fired and reading.extra["increment"] is None
    assert "metric unknown: cannot be estimated" in reading.detail
    assert not verdict.fire and not verdict.wanted


@pytest.mark.parametrize(
    ("fresh", "rows", "said"),
    [
        (None, 500.0, "fresh model's level is unknown"),
        (Fresh("run-1", None, "baseline run run-1 logged no 'accuracy'"), 500.0, "logged no"),
        (FRESH, None, "rows unknown"),
    ],
)
def test_no_fresh_level_or_no_rows_is_unknown(
    fresh: Fresh | None, rows: float | None, said: str
) -> None:
    performance = Reading("performance", 0.5, 0.8, True, "accuracy=0.5")

    reading = cost_reading([performance, _volume(rows)], fresh, BEFORE, PRICES, True)

    assert reading.unknown and not reading.fired and said in reading.detail


def test_rows_since_the_previous_check_times_the_gap_lower_is_better_mirrored() -> None:
    performance = Reading("performance", 1.2, None, False, "rmse=1.2")
    fresh = Fresh("run-1", 1.0, "baseline run run-1 rmse")

    reading = cost_reading([performance, _volume(200)], fresh, BEFORE, PRICES, False)

    # (200 − 150) rows × 1 × (1.2 − 1.0) = 10, + 20 before = 30 ≥ 30
    assert reading.extra["increment"] == pytest.approx(10)
    assert reading.value == pytest.approx(30) and reading.fired


def test_in_cost_mode_a_fired_performance_signal_alone_does_not_fire() -> None:
    performance = Reading("performance", 0.5, 0.8, True, "accuracy=0.5")
    verdict = decide(
        [performance, Reading("cost", 1.0, 30.0, False, "below")],
        History(),
        PolicyConfig(mode="cost", cost=PRICES),
        "v2",
        NOW,
    )
    assert not verdict.wanted and verdict.trigger_types == ()


def test_the_expected_fresh_level_is_the_mean_of_the_newest_known_levels() -> None:
    assert expected([0.8, NAN_LEVEL, 0.9]) == pytest.approx(0.85)
    # RECENT (5) newest: the oldest of six is dropped.
    assert expected([0.0, 0.9, 0.9, 0.8, 0.8, 0.8]) == pytest.approx(0.84)
    assert expected([NAN_LEVEL]) is None and expected([]) is None
