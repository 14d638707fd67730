"""The policy is pure: these tests need no I/O, and hypothesis explores the combinations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from retrigger.config.models import PolicyConfig, RetrainBudget
from retrigger.decision import Reading
from retrigger.policy import BUDGET, COOLDOWN, IDENTICAL_INPUTS, History, decide

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


def reading(kind: str, fired: bool) -> Reading:
    return Reading(kind, 1.0, 1.0, fired, "test")


def test_any_fires_on_one_signal_all_needs_every_signal() -> None:
    readings = [reading("performance", True), reading("schedule", False)]

    any_verdict = decide(readings, History(), PolicyConfig(fire_when="any"), "v2", NOW)
    all_verdict = decide(readings, History(), PolicyConfig(fire_when="all"), "v2", NOW)

    assert any_verdict.fire and any_verdict.trigger_types == ("performance",)
    assert not all_verdict.fire and not all_verdict.wanted


def test_cooldown_holds_then_releases() -> None:
    policy = PolicyConfig(cooldown=timedelta(hours=24))
    readings = [reading("drift", True)]
    history = History(retrain_times=(NOW - timedelta(hours=23),))

    held = decide(readings, history, policy, "v2", NOW)
    released = decide(readings, history, policy, "v2", NOW + timedelta(hours=2))

    assert (held.fire, held.held_by) == (False, COOLDOWN)
    assert held.hold_detail is not None and "cooldown" in held.hold_detail
    assert released.fire


def test_budget_counts_retrains_inside_the_window_only() -> None:
    policy = PolicyConfig(max_retrains=RetrainBudget(count=2, per=timedelta(days=7)))
    inside = (NOW - timedelta(days=1), NOW - timedelta(days=6))
    readings = [reading("volume", True)]

    held = decide(readings, History(retrain_times=inside), policy, "v9", NOW)
    freed = decide(
        readings, History(retrain_times=(inside[0], NOW - timedelta(days=8))), policy, "v9", NOW
    )

    assert held.held_by == BUDGET
    assert freed.fire


def test_data_a_refused_retrain_used_is_not_retrained_again() -> None:
    history = History(trained_data_version="v1", refused_data_versions=frozenset({"v2"}))

    again = decide([reading("performance", True)], history, PolicyConfig(), "v2", NOW)
    newer = decide([reading("performance", True)], history, PolicyConfig(), "v3", NOW)

    assert (again.fire, again.held_by) == (False, IDENTICAL_INPUTS)
    assert again.hold_detail is not None and "refused by validation" in again.hold_detail
    assert newer.fire


def test_same_data_version_is_never_trained_twice() -> None:
    verdict = decide(
        [reading("schedule", True)], History(trained_data_version="abc"), PolicyConfig(), "abc", NOW
    )

    assert (verdict.fire, verdict.held_by) == (False, IDENTICAL_INPUTS)
    assert verdict.trigger_types == ("schedule",)


readings_strategy = st.lists(
    st.builds(
        reading, st.sampled_from(["performance", "schedule", "volume", "drift"]), st.booleans()
    ),
    max_size=4,
)
times_strategy = st.lists(
    st.integers(min_value=0, max_value=30 * 24).map(lambda h: NOW - timedelta(hours=h)), max_size=6
).map(tuple)
policy_strategy = st.builds(
    PolicyConfig,
    fire_when=st.sampled_from(["any", "all"]),
    cooldown=st.integers(0, 72).map(lambda h: timedelta(hours=h)),
    max_retrains=st.none()
    | st.builds(
        RetrainBudget,
        count=st.integers(1, 5),
        per=st.integers(1, 14).map(lambda d: timedelta(days=d)),
    ),
)


@given(
    readings_strategy,
    times_strategy,
    policy_strategy,
    st.sampled_from(["a", "b", None]),
    st.sampled_from(["a", None]),
)
def test_fire_means_wanted_and_unheld(
    readings: list[Reading],
    times: tuple[datetime, ...],
    policy: PolicyConfig,
    current: str | None,
    trained: str | None,
) -> None:
    verdict = decide(readings, History(times, trained), policy, current, NOW)

    assert verdict.fire == (verdict.wanted and verdict.held_by is None)
    assert verdict.trigger_types == tuple(r.kind for r in readings if r.fired)
    if not verdict.wanted:
        assert verdict.held_by is None
    if verdict.fire and current is not None:
        assert current != trained


@given(readings_strategy, policy_strategy)
def test_without_history_the_signals_alone_decide(
    readings: list[Reading], policy: PolicyConfig
) -> None:
    verdict = decide(readings, History(), policy, "new", NOW)

    fired = [r.fired for r in readings]
    expected = any(fired) if policy.fire_when == "any" else bool(fired) and all(fired)
    assert verdict.fire == expected


@given(readings_strategy, times_strategy, policy_strategy)
def test_deciding_is_deterministic(
    readings: list[Reading], times: tuple[datetime, ...], policy: PolicyConfig
) -> None:
    first = decide(readings, History(times, "x"), policy, "y", NOW)
    assert decide(readings, History(times, "x"), policy, "y", NOW) == first


def test_a_pending_retrain_holds_as_in_flight_before_cooldown_and_budget() -> None:
    from retrigger.policy import IN_FLIGHT, Pending

    pending = Pending("d-1", "a-1", approved=False)
    history = History(retrain_times=(NOW - timedelta(minutes=1),), pending=pending)
    policy = PolicyConfig(cooldown=timedelta(hours=1))

    verdict = decide([reading("drift", True)], history, policy, "v2", NOW)

    assert (verdict.fire, verdict.held_by) == (False, IN_FLIGHT)
    assert verdict.hold_detail is not None and "awaiting approval a-1" in verdict.hold_detail


def test_same_data_with_changed_params_is_not_an_identical_model() -> None:
    base = History(trained_data_version="abc", stages=("prepare", "train"))
    changed = History(
        trained_data_version="abc",
        stages=("train",),
        changed_inputs=("train: params.yaml train.alpha modified",),
    )
    unknown = History(trained_data_version="abc", changed_inputs=None)

    held = decide([reading("schedule", True)], base, PolicyConfig(), "abc", NOW)

    assert held.held_by == IDENTICAL_INPUTS and held.hold_detail is not None
    assert "data version abc and the deps and params of stages prepare, train" in held.hold_detail
    assert decide([reading("schedule", True)], changed, PolicyConfig(), "abc", NOW).fire
    assert decide([reading("schedule", True)], unknown, PolicyConfig(), "abc", NOW).fire
