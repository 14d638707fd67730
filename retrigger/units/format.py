"""One formatter: thousands separators, decimal kB/MB, fixed significant digits, durations with
units, times without microseconds. Pure functions of their arguments (no clock, no locale)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

MISSING = "—"
DIGITS = 4  # significant digits of a score, a metric, a threshold
_SIZES = ("B", "kB", "MB", "GB", "TB", "PB")
_SPANS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def number(value: float | None, digits: int = DIGITS, signed: bool = False) -> str:
    """``0.1235``, ``3,500``, ``1e-14``, ``-2.5``; ``—`` for nothing, ``n/a`` for NaN."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value).lower()
    sign = "+" if signed else ""
    if isinstance(value, int):
        return f"{value:{sign},d}"
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return ("-" if value < 0 else ("+" if signed else "")) + "∞"
    if value == 0:
        return "0"
    if 10**digits <= abs(value) < 1e15:
        return f"{round(value):{sign},d}"  # 84,319 rather than 8.432e+04
    text = f"{value:{sign}.{digits}g}"
    return text.replace("e-0", "e-").replace("e+0", "e+")


def count(value: float | None, unit: str, signed: bool = False) -> str:
    """``3,500 rows``; ``1 row``; the unit is given in the plural."""
    if value is None:
        return f"{MISSING} {unit}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    singular = unit[:-1] if unit.endswith("s") and abs(value) == 1 else unit
    return f"{number(value, signed=signed)} {singular}"


def size(n_bytes: float | None, signed: bool = False) -> str:
    """Decimal units, three significant digits: ``84.3 kB``, ``1 TB``, ``512 B``."""
    if n_bytes is None:
        return MISSING
    sign = "-" if n_bytes < 0 else ("+" if signed and n_bytes > 0 else "")
    scaled, unit = abs(float(n_bytes)), 0
    while unit < len(_SIZES) - 1 and float(f"{scaled:.3g}") >= 1000:
        scaled, unit = scaled / 1000, unit + 1
    if unit == 0:
        return f"{sign}{round(scaled):,} B"
    return f"{sign}{float(f'{scaled:.3g}'):g} {_SIZES[unit]}"


def duration(seconds: float | timedelta | None) -> str:
    """``82 ms``, ``4.2 s``, ``3 min 20 s``, ``2 h 5 min``, ``3 d 4 h``: two units at most."""
    if seconds is None:
        return MISSING
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    if math.isnan(seconds):
        return "n/a"
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    if seconds < 1:
        return f"{sign}{seconds * 1000:.0f} ms"
    if round(seconds) < 60:
        return f"{sign}{float(f'{seconds:.2g}') if seconds < 10 else round(seconds):g} s"
    whole = round(seconds)
    for i, (name, span) in enumerate(_SPANS[:-1]):
        if whole >= span:
            high, rest = divmod(whole, span)
            low_name, low_span = _SPANS[i + 1]
            low = rest // low_span
            return f"{sign}{high:,} {name}" + (f" {low} {low_name}" if low else "")
    return f"{sign}{whole} s"  # pragma: no cover - the loop always returns from 60 s up


def days(value: float | None) -> str:
    """An age kept in days (the schedule signal's unit), read as a duration."""
    return MISSING if value is None else duration(value * 86400)


def percent(share: float | None, digits: int = 3) -> str:
    """A share 0..1 as a percentage: ``37.5%``."""
    if share is None:
        return MISSING
    return f"{number(share * 100, digits)}%"


def timestamp(when: datetime | str | None) -> str:
    """``2026-03-15 02:00 UTC``: to the minute, in UTC, never microseconds."""
    moment = _moment(when)
    if moment is None:
        return MISSING if when is None else str(when)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def iso(when: datetime | str | None) -> str | None:
    """ISO 8601 to the second, in UTC (``2026-03-15T02:00:00+00:00``) for documents."""
    moment = _moment(when)
    return None if moment is None else moment.isoformat(timespec="seconds")


def _moment(when: datetime | str | None) -> datetime | None:
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # our stored times are naive UTC
    return when.astimezone(UTC)


SIGNAL_UNITS = {"schedule": "age", "drift": "share", "volume": "rows"}


def signal_value(kind: str, value: float | None) -> str:
    """A signal's value or threshold with its unit: ``3 d 4 h``, ``40% of columns``,
    ``3,500 rows``; a metric (performance) stays a plain number."""
    unit = SIGNAL_UNITS.get(kind)
    if value is None:
        return MISSING
    if unit == "age":
        return days(value)
    if unit == "share":
        return f"{percent(value)} of columns"
    if unit == "rows":
        return count(value, "rows")
    return number(value)


def shown_url(url: str) -> str:
    """A URL for logs and messages: ``postgresql://bob:***@db/state``, never the password."""
    scheme, sep, rest = url.partition("://")
    user, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in user:
        return url
    return f"{scheme}://{user.split(':', 1)[0]}:***@{host}"
