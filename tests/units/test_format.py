"""The one formatter on edge values: 0, negatives, NaN, 1e-14, 10^12 bytes, unit boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from retrigger.units import format as fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (0, "0"),
        (0.0, "0"),
        (-3, "-3"),
        (3500, "3,500"),
        (84319.0, "84,319"),
        (0.12345678, "0.1235"),
        (1e-14, "1e-14"),
        (-2.5, "-2.5"),
        (1234567.891, "1,234,568"),
        (1e20, "1e+20"),
        (float("nan"), "n/a"),
        (float("-inf"), "-∞"),
        (True, "true"),
    ],
)
def test_number(value: float | None, text: str) -> None:
    assert fmt.number(value) == text


def test_signed_numbers_and_counts() -> None:
    assert fmt.number(3500, signed=True) == "+3,500"
    assert fmt.number(-0.5, signed=True) == "-0.5"
    assert fmt.count(3500, "rows", signed=True) == "+3,500 rows"
    assert fmt.count(1.0, "rows") == "1 row"
    assert fmt.count(None, "rows") == "— rows"


@pytest.mark.parametrize(
    ("n_bytes", "text"),
    [
        (0, "0 B"),
        (512, "512 B"),
        (84319, "84.3 kB"),
        (999_999, "1 MB"),
        (10**12, "1 TB"),
        (-2048, "-2.05 kB"),
        (1_500_000, "1.5 MB"),
        (10**18, "1000 PB"),
    ],
)
def test_size(n_bytes: int, text: str) -> None:
    assert fmt.size(n_bytes) == text


def test_signed_size() -> None:
    assert fmt.size(84319, signed=True) == "+84.3 kB"
    assert fmt.size(0, signed=True) == "0 B"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 ms"),
        (0.082, "82 ms"),
        (4.23, "4.2 s"),
        (59.4, "59 s"),
        (59.9, "1 min"),
        (200, "3 min 20 s"),
        (7500, "2 h 5 min"),
        (3 * 86400 + 4 * 3600 + 100, "3 d 4 h"),
        (-90, "-1 min 30 s"),
        (float("nan"), "n/a"),
        (None, "—"),
        (timedelta(hours=24), "1 d"),
    ],
)
def test_duration(seconds: float | timedelta | None, text: str) -> None:
    assert fmt.duration(seconds) == text


def test_times_to_the_minute_in_utc_without_microseconds() -> None:
    assert fmt.timestamp("2026-03-15T02:00:59.123456") == "2026-03-15 02:00 UTC"
    plus_two = timezone(timedelta(hours=2))
    assert fmt.timestamp(datetime(2026, 3, 15, 4, 0, tzinfo=plus_two)) == "2026-03-15 02:00 UTC"
    assert fmt.iso(datetime(2026, 3, 15, 2, 0, 0, 999, tzinfo=UTC)) == "2026-03-15T02:00:00+00:00"
    assert fmt.timestamp("not a time") == "not a time"
    assert fmt.timestamp(None) == "—"


def test_signal_values_carry_their_units() -> None:
    assert fmt.signal_value("schedule", 0.0001) == "8.6 s"  # was "0.0001 vs 30"
    assert fmt.signal_value("schedule", 30) == "30 d"
    assert fmt.signal_value("drift", 0.375) == "37.5% of columns"
    assert fmt.signal_value("volume", 3500.0) == "3,500 rows"
    assert fmt.signal_value("performance", 0.912345) == "0.9123"
    assert fmt.signal_value("performance", None) == "—"
