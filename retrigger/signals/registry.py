"""Signals by config key (STYLE.md #7). Add a signal: write the class, register it here."""

from __future__ import annotations

from retrigger.config.models import SignalsConfig
from retrigger.signals.base import Signal
from retrigger.signals.drift import DriftSignal
from retrigger.signals.performance import PerformanceSignal
from retrigger.signals.schedule import ScheduleSignal
from retrigger.signals.volume import VolumeSignal

SIGNALS: dict[str, type[Signal]] = {
    "performance": PerformanceSignal,
    "schedule": ScheduleSignal,
    "volume": VolumeSignal,
    "drift": DriftSignal,
}


def configured(signals: SignalsConfig) -> list[Signal]:
    """The signals whose config section is present, in a stable order."""
    return [
        factory() for key, factory in SIGNALS.items() if getattr(signals, key, None) is not None
    ]
