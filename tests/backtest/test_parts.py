"""The replay's pure parts: which run the replay starts from, the judges, --set parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retrigger.backtest import judges
from retrigger.backtest.runs import PastRuns
from retrigger.backtest.whatif import parse_sets
from retrigger.config.models import ModelConfig, PerformanceSignalConfig
from retrigger.errors import BadInput
from retrigger.lineage import tags
from retrigger.lineage.tracking import RunInfo

T = datetime(2026, 5, 1, tzinfo=UTC)


def run(run_id: str, days: int, **extra: str) -> RunInfo:
    return RunInfo(run_id, T + timedelta(days=days), {"accuracy": 0.9}, dict(extra), {})


def label(past: PastRuns, day: int) -> str | None:
    found = past.reference_at(T + timedelta(days=day))
    return found[1] if found is not None else None


def test_the_start_is_the_last_real_retrain_then_the_baseline_then_the_oldest_baseline() -> None:
    retrain = run("r1", 5, **{tags.RETRAIN: "true", tags.STATUS: "promoted"})
    failed = run("r2", 6, **{tags.RETRAIN: "true", tags.STATUS: "failed"})
    old, new = run("b1", 2), run("b2", 20)
    past = PastRuns([failed, retrain], [new, old], [])

    assert label(past, 7) == "last real retrain r1"
    assert label(past, 3) == "baseline run b1"
    found = past.reference_at(T)
    assert found is not None and found[0] is old and "recorded after the first point" in found[1]
    assert PastRuns([], [], []).reference_at(T) is None


@pytest.mark.parametrize(
    ("value", "baseline", "threshold", "fired"),
    [
        (0.82, None, 0.8, False),  # the floor alone
        (0.82, 0.9, 0.855, True),  # the baseline's 5 % drop is stricter
        (0.79, 0.8, 0.8, True),  # the floor is stricter
    ],
)
def test_performance_holds_the_strictest_limit(
    value: float, baseline: float | None, threshold: float, fired: bool
) -> None:
    settings = PerformanceSignalConfig(min=0.8, max_drop=0.05)
    reading = judges.performance(
        value, "metrics.json@abc", settings, ModelConfig(name="m"), baseline
    )

    assert reading.threshold == pytest.approx(threshold)
    assert reading.fired is fired


def test_an_unknown_metric_never_fires() -> None:
    reading = judges.performance(
        None,
        "metrics.json not committed at abc",
        PerformanceSignalConfig(min=0.8),
        ModelConfig(name="m"),
        None,
    )

    assert (reading.value, reading.fired) == (None, False)
    assert reading.detail.startswith("unknown: ")


def test_set_values_are_yaml_and_keys_are_dotted() -> None:
    parsed = parse_sets(
        [
            "policy.cooldown=7d",
            "policy.max_retrains={count: 2, per: 30d}",
            "signals.performance.min=0.8",
        ]
    )

    assert {k: v for k, (_, v) in parsed.items()} == {
        "policy.cooldown": "7d",
        "policy.max_retrains": {"count": 2, "per": "30d"},
        "signals.performance.min": 0.8,
    }
    with pytest.raises(BadInput, match="write KEY=VALUE"):
        parse_sets(["=3"])
