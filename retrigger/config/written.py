"""Values the way their author wrote them: a duration written ``7d`` is shown ``7d``, not its
shortest form ``1w`` (``config show``, the retrain run's params)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retrigger.config.durations import parse_duration


def as_written(values: dict[str, Any], written: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (dotted key → effective value) with each duration replaced by the text of
    ``written`` (dotted key → raw value) at the same key, when both mean the same time."""
    shown = dict(values)
    for key, value in values.items():
        raw = written.get(key)
        if isinstance(value, str) and isinstance(raw, str) and _same_duration(value, raw):
            shown[key] = raw
    return shown


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested sections → dotted keys (an empty section stays one key)."""
    if isinstance(data, dict) and data:
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(flatten(value, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): data}


def _same_duration(shown: str, written: str) -> bool:
    try:
        return parse_duration(shown) == parse_duration(written)
    except ValueError:
        return False
