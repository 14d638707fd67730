"""Durations as people write them in config: ``90s``, ``90m``, ``24h``, ``30d``, ``2w``."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PATTERN = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(text: object) -> timedelta:
    """Parse ``"24h"`` into a ``timedelta``; raise ``ValueError`` with the accepted forms."""
    if isinstance(text, timedelta):
        value = text
    elif isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"expected a duration like 90m, 24h or 30d, got {text!r}")
    elif isinstance(text, int | float):
        value = timedelta(seconds=float(text))
    else:
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError(f"expected a duration like 90m, 24h or 30d, got {text!r}")
        value = timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    if value < timedelta(0):
        raise ValueError(f"a duration cannot be negative, got {text!r}")
    return value


def format_duration(value: timedelta) -> str:
    """The shortest exact unit form: ``timedelta(days=30)`` → ``30d``."""
    seconds = int(value.total_seconds())
    for suffix, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{suffix}"
    return f"{seconds}s"


def humanize(value: timedelta) -> str:
    """Round a duration for people: ``3d 4h``, ``17m``."""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{seconds}s"
