"""C learned from past retrains' measured durations (policy.mode: cost without
policy.cost.retrain): a least-squares line of seconds on rows, read at the rows of now."""

from __future__ import annotations

import pytest

from retrigger.config.models import CostConfig
from retrigger.decision import Reading
from retrigger.signals.cost import Fresh, RetrainCost, cost_reading
from retrigger.signals.retrain_seconds import PastRetrain, learned

UNSET = CostConfig(staleness=1)  # retrain: not set
PERFORMANCE = Reading("performance", 0.5, None, False, "accuracy=0.5")
VOLUME = Reading("volume", 1000.0, None, False, "+1000 rows")
FRESH = Fresh("run-1", 0.9, "baseline run run-1 accuracy")


def test_no_past_retrain_leaves_c_unknown_and_the_policy_says_why() -> None:
    assert learned([], 5000.0) is None

    reading = cost_reading([PERFORMANCE, VOLUME], FRESH, [], UNSET, True, learned([], 5000.0))

    assert reading.unknown and not reading.fired and reading.threshold is None
    assert reading.detail.startswith("staleness so far 400; retrain cost unknown: policy.cost")
    assert reading.extra["increment"] == pytest.approx(400)  # kept for the next checks' sum


def test_one_past_retrain_is_its_own_duration() -> None:
    found = learned([PastRetrain(42.0, 3000.0)], 9000.0)

    assert found is not None and found.value == 42.0
    assert "one past retrain" in found.source


def test_seconds_fitted_on_rows_and_read_at_the_rows_of_now() -> None:
    # 10 s + 0.01 s per row, exactly: at 5000 rows, 60 s.
    past = [PastRetrain(20.0, 1000.0), PastRetrain(40.0, 3000.0), PastRetrain(30.0, 2000.0)]

    found = learned(past, 5000.0)

    assert found is not None and found.value == pytest.approx(60.0)
    assert "least-squares fit of seconds on rows over 3 past retrains" in found.source


def test_rows_unknown_falls_back_to_the_mean_and_says_so() -> None:
    found = learned([PastRetrain(20.0, None), PastRetrain(40.0, None)], 5000.0)

    assert found is not None and found.value == 30.0 and "mean" in found.source


def test_the_reading_fires_on_the_learned_cost_and_names_its_source() -> None:
    measured = RetrainCost(300.0, "the one past retrain's measured duration (seconds)")

    reading = cost_reading([PERFORMANCE, VOLUME], FRESH, [], UNSET, True, measured)

    # 1000 rows × 1 × (0.9 − 0.5) = 400 ≥ 300
    assert reading.fired and reading.threshold == 300.0
    assert "retrain cost 300 (the one past retrain's measured duration" in reading.detail
