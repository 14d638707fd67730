"""An attempt's facts and their JSON in the state store, pure."""

from __future__ import annotations

from typing import Any

from retrigger.pipeline.state import AttemptFacts, carried

# What an attempt that promoted has always stored (the keys of the former facts dict).
STORED: dict[str, Any] = {
    "resumed": False,
    "metric_before": None,
    "metric_after": 0.91,
    "git_commit": "abc123",
    "data_version": "d1",
    "data": [{"path": "data/train", "md5": "m1.dir", "bytes": 30, "files": 3}],
    "validation": {
        "passed": True,
        "reason": "no champion yet",
        "metric": "accuracy",
        "new": 0.91,
        "champion": None,
        "champion_version": None,
        "champion_source": None,
        "required_improvement": None,
        "floor": 0.7,
    },
    "run_id": "r1",
    "model_version": "2",
    "previous_champion": None,
}


def test_a_stored_attempt_reads_back_and_writes_the_same_json() -> None:
    facts = AttemptFacts.from_json(STORED)
    assert facts.metric_after == 0.91 and facts.model_version == "2"
    assert facts.validation is not None and facts.validation.passed
    assert facts.as_json() == STORED


def test_a_measured_none_before_is_kept_apart_from_not_measured() -> None:
    assert AttemptFacts.from_json({"metric_before": None}).before_measured
    assert not AttemptFacts.from_json({}).before_measured
    assert AttemptFacts().as_json() == {"resumed": False}


def test_a_resumed_attempt_carries_what_earlier_attempts_learned_first_value_wins() -> None:
    first = {"resumed": False, "metric_before": 0.5}
    second: dict[str, Any] = {
        "resumed": True,
        "metric_before": 0.8,
        "metric_after": 0.9,
        "git_commit": None,
        "data_version": None,
        "data": [],
    }
    facts = carried([first, second])
    assert facts.resumed and facts.metric_before == 0.5 and facts.metric_after == 0.9
    assert not carried([]).resumed
