"""What-if: ``--set KEY=VALUE`` overrides, validated as the config is, and where two replays of
the same history differ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from retrigger.backtest.replay import Replay
from retrigger.config import LoadedConfig, load_config
from retrigger.config.durations import humanize
from retrigger.errors import BadInput

Overrides = dict[str, tuple[str, Any]]


def parse_sets(items: Sequence[str]) -> Overrides:
    """``signals.performance.max_drop=0.1`` → dotted key and YAML value, as RETRIGGER_* are."""
    overrides: Overrides = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or not text.strip():
            raise BadInput(
                f"--set {item!r}: write KEY=VALUE with a dotted config key, e.g. "
                "--set signals.performance.max_drop=0.1"
            )
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        overrides[key] = (f"--set {key}", value)
    return overrides


def changed_config(config_path: Path | None, overrides: Overrides) -> LoadedConfig:
    """The config with the overrides applied; a bad key or value is the ``ConfigError`` that
    ``retrigger config validate`` gives for the same mistake in the file."""
    return load_config(config_path, overrides=overrides)


@dataclass(frozen=True)
class Difference:
    commit: str
    time: str
    configured: str  # fire / hold (by what) / quiet
    what_if: str

    def as_json(self) -> dict[str, object]:
        return {
            "commit": self.commit,
            "time": self.time,
            "configured": self.configured,
            "what_if": self.what_if,
        }


def differences(configured: Replay, what_if: Replay) -> list[Difference]:
    """Points (same commits on both sides) whose outcome differs."""
    found = []
    for left, right in zip(configured.results, what_if.results, strict=True):
        a, b = (
            _label(left.outcome, left.verdict.held_by),
            _label(right.outcome, right.verdict.held_by),
        )
        if a != b:
            found.append(
                Difference(left.point.commit.sha, left.point.commit.time.isoformat(), a, b)
            )
    return found


@dataclass(frozen=True)
class Change:
    """One ``--set``: the key, the value replayed, and the value the config file gives."""

    key: str
    value: object
    was: str  # as written in retrigger.yaml, "x (default)", or "not set"

    def __str__(self) -> str:
        return f"{self.key}={_text(self.value)} (configured: {self.was})"


def changes(loaded: LoadedConfig, overrides: Overrides) -> list[Change]:
    return [Change(key, value, _was(loaded, key)) for key, (_, value) in overrides.items()]


def describe(found: Sequence[Change]) -> str:
    """``what if signals.performance.max_drop=0.1 (configured: 0.05)``, for titles."""
    return "what if " + ", ".join(str(change) for change in found)


def _was(loaded: LoadedConfig, key: str) -> str:
    written: object = loaded.raw
    for part in key.split("."):
        written = written.get(part) if isinstance(written, dict) else None
    if written is not None:
        return _text(written)
    default: object = loaded.config
    for part in key.split("."):
        default = getattr(default, part, None)
    if default is None:
        return "not set"
    if isinstance(default, timedelta):
        return f"{humanize(default)} (default)"
    return f"{_text(default)} (default)"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, timedelta):
        return humanize(value)
    return str(value)


def _label(outcome: str, held_by: str | None) -> str:
    return f"{outcome} ({held_by})" if held_by else outcome
