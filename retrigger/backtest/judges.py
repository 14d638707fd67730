"""Pure judges for the replay: a value from the past and the config → a ``Reading``.

Performance and schedule read MLflow and the clock inside their signals; the replay has those
values from history instead, so it judges them here with the same rules (floor and baseline
drop, strictest wins; age against max_age). Volume uses the signal's own ``judge``.
"""

from __future__ import annotations

from datetime import datetime

from retrigger.config.durations import humanize
from retrigger.config.models import ModelConfig, PerformanceSignalConfig, ScheduleSignalConfig
from retrigger.decision import Reading

_DAY = 86400.0


def unknown(kind: str, threshold: float | None, why: str) -> Reading:
    """A reading whose input is missing from history: never fires, never guessed."""
    return Reading(kind, None, threshold, False, f"unknown: {why}", extra={"unknown": True})


def performance_threshold(
    settings: PerformanceSignalConfig, model: ModelConfig, baseline: float | None
) -> float | None:
    """The strictest of the floor and the baseline's allowed drop (None: no limit known)."""
    limits = []
    if settings.min is not None:
        limits.append(settings.min)
    if settings.max_drop is not None and baseline is not None:
        allowed = abs(baseline) * settings.max_drop
        limits.append(baseline - allowed if model.greater_is_better else baseline + allowed)
    if not limits:
        return None
    return max(limits) if model.greater_is_better else min(limits)


def performance(
    value: float | None,
    source: str,
    settings: PerformanceSignalConfig,
    model: ModelConfig,
    baseline: float | None,
) -> Reading:
    threshold = performance_threshold(settings, model, baseline)
    if value is None:
        return unknown("performance", threshold, source)
    if threshold is None:
        return Reading(
            "performance",
            value,
            None,
            False,
            f"{model.metric}={value:.4g} ({source}); no floor and no baseline run yet",
        )
    fired = value < threshold if model.greater_is_better else value > threshold
    relation = ("below" if model.greater_is_better else "above") if fired else "within"
    base = f", baseline {baseline:.4g}" if baseline is not None else ""
    return Reading(
        "performance",
        value,
        threshold,
        fired,
        f"{model.metric}={value:.4g} ({source}) is {relation} the threshold {threshold:.4g}{base}",
    )


def schedule(settings: ScheduleSignalConfig, since: datetime, what: str, now: datetime) -> Reading:
    max_days = settings.max_age.total_seconds() / _DAY
    age = now - since
    fired = age >= settings.max_age
    verb = "exceeds" if fired else "is within"
    return Reading(
        "schedule",
        round(age.total_seconds() / _DAY, 4),
        max_days,
        fired,
        f"{what} was {humanize(age)} before; {verb} max age {humanize(settings.max_age)}",
    )
