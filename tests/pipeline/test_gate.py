"""The validation gate's rules, pure."""

from __future__ import annotations

import pytest

from retrigger.pipeline.validation import Rules, judge


def rules(
    floor: float | None = 0.7,
    absolute: float = 0.0,
    relative: float = 0.0,
    greater_is_better: bool = True,
) -> Rules:
    return Rules("accuracy", greater_is_better, floor, absolute, relative)


def test_without_a_champion_a_model_above_the_floor_is_promoted() -> None:
    verdict = judge(rules(), 0.8, None, None, None)
    assert verdict.passed and "no champion yet" in verdict.reason


def test_a_model_below_the_floor_is_refused_even_without_a_champion() -> None:
    verdict = judge(rules(), 0.69, None, None, None)
    assert not verdict.passed and "floor 0.7" in verdict.reason


def test_a_model_equal_to_the_champion_is_not_better() -> None:
    verdict = judge(rules(), 0.8, 0.8, "3", "model in use on the current data")
    assert not verdict.passed and "not better" in verdict.reason


@pytest.mark.parametrize(
    ("new", "absolute", "relative", "passed"),
    [
        (0.805, 0.01, 0.0, False),
        (0.81, 0.01, 0.0, True),
        (0.81, 0.0, 0.02, False),  # 2% of 0.8 is 0.016
        (0.82, 0.0, 0.02, True),
        (0.82, 0.03, 0.02, False),  # both must hold
    ],
)
def test_the_improvement_must_reach_both_minimums(
    new: float, absolute: float, relative: float, passed: bool
) -> None:
    verdict = judge(rules(absolute=absolute, relative=relative), new, 0.8, "3", "file")
    assert verdict.passed is passed
    assert verdict.required == pytest.approx(max(absolute, relative * 0.8))


def test_for_a_loss_lower_is_better_and_the_floor_is_a_ceiling() -> None:
    loss = rules(floor=0.5, greater_is_better=False)
    assert judge(loss, 0.3, 0.4, "1", "file").passed
    assert not judge(loss, 0.45, 0.4, "1", "file").passed
    assert not judge(loss, 0.6, None, None, None).passed
