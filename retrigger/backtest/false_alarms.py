"""Expected false alarms of the drift signal: the trained version resampled against itself.

Each resample splits the trained data version's rows at random into a reference side and a
current side — the same data, so any drift verdict is a false alarm — and runs the configured
verdict (``mode``, thresholds, tolerances, ``fdr``). The share of resamples that fired is the
per-check false-alarm rate p, with its Clopper–Pearson interval. ``persist: k/m`` is applied
analytically, taking checks as independent: a check fires when at least k of the last m
verdicts did, P = Σ_{j=k..m} C(m, j) p^j (1 − p)^(m − j). Times the checks a year at the
cadence, that is the expected false alarms per year.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from retrigger.config.durations import humanize

RESAMPLES = 50  # enough for a rate of 5 % to be told from 20 %; cheap next to the replay
SPLIT_SEED = 0  # the random splits are the same on every run: the same data, the same rate
DEFAULT_EVERY = timedelta(days=7)  # a weekly check, when the history has no two checks
CONFIDENCE = 0.95  # of the binomial interval
YEAR = timedelta(days=365.25)


@dataclass(frozen=True)
class Cadence:
    every: timedelta
    source: str  # where the interval between checks came from, in words

    @property
    def per_year(self) -> float:
        return YEAR / self.every


@dataclass(frozen=True)
class FalseAlarms:
    """The drift verdict on resamples of one version against itself, and what it means a year."""

    mode: str
    version: str  # which data version was resampled, in words
    resamples: int
    fired: int
    reference_rows: int
    current_rows: int
    persist: tuple[int, int] | None
    cadence: Cadence
    note: str = ""  # what this rate does not include

    @property
    def per_check(self) -> tuple[float, float, float]:
        """The verdict's rate on one check, before persistence: (rate, low, high)."""
        low, high = binomial_interval(self.fired, self.resamples)
        return self.fired / self.resamples, low, high

    @property
    def per_fired_check(self) -> tuple[float, float, float]:
        """The rate a check fires the signal, after ``persist`` (monotone in p: bounds map)."""
        rates = self.per_check
        if self.persist is None:
            return rates
        k, m = self.persist
        return (persisted(rates[0], k, m), persisted(rates[1], k, m), persisted(rates[2], k, m))

    @property
    def per_year(self) -> tuple[float, float, float]:
        rate, low, high = self.per_fired_check
        n = self.cadence.per_year
        return rate * n, low * n, high * n

    def words(self) -> str:
        rate, low, high = self.per_check
        year, year_low, year_high = self.per_year
        text = (
            f"drift false alarms: {self.fired} of {self.resamples} resamples of {self.version} "
            f"against itself fired ({self.mode} mode, {self.reference_rows} vs "
            f"{self.current_rows} rows): {_pct(rate)} per check ({_pct(low)}–{_pct(high)})"
        )
        if self.persist is not None:
            k, m = self.persist
            fired = self.per_fired_check
            text += f", {_pct(fired[0])} with persist {k}/{m}"
        text += (
            f"; ≈ {year:.1f} false alarms per year ({year_low:.1f}–{year_high:.1f}) at one check "
            f"every {humanize(self.cadence.every)} ({self.cadence.source})"
        )
        return text + (f"; {self.note}" if self.note else "")

    def as_json(self) -> dict[str, object]:
        rate, low, high = self.per_check
        fired = self.per_fired_check
        year = self.per_year
        return {
            "mode": self.mode,
            "version": self.version,
            "resamples": self.resamples,
            "fired": self.fired,
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "per_check": {"rate": rate, "interval": [low, high], "confidence": CONFIDENCE},
            "persist": f"{self.persist[0]}/{self.persist[1]}" if self.persist else None,
            "per_check_persisted": {"rate": fired[0], "interval": [fired[1], fired[2]]},
            "every_days": self.cadence.every / timedelta(days=1),
            "cadence_source": self.cadence.source,
            "per_year": {"expected": year[0], "interval": [year[1], year[2]]},
            "note": self.note,
        }


def typical_share(readings: Sequence[tuple[object, object]]) -> float | None:
    """The median share current rows / reference rows of the replay's drift readings (None:
    no reading knew both): the resamples' current side is sized like it."""
    shares = [
        cur / ref
        for ref, cur in readings
        if isinstance(ref, int) and isinstance(cur, int) and ref > 0 and cur > 0
    ]
    return statistics.median(shares) if shares else None


def persisted(p: float, k: int, m: int) -> float:
    """P(at least k of m independent verdicts fired), each firing with probability p."""
    return sum(math.comb(m, j) * p**j * (1 - p) ** (m - j) for j in range(k, m + 1))


def binomial_interval(fired: int, n: int) -> tuple[float, float]:
    """Clopper–Pearson: exact, never narrower than it should be (0 of 50 → up to 7.1 %)."""
    from scipy.stats import beta

    tail = (1 - CONFIDENCE) / 2
    low = 0.0 if fired == 0 else float(beta.ppf(tail, fired, n - fired + 1))
    high = 1.0 if fired == n else float(beta.ppf(1 - tail, fired + 1, n - fired))
    return low, high


def cadence(times: Sequence[datetime], every: timedelta | None) -> Cadence:
    """``--every`` when given, else the history's median interval between checks, else weekly."""
    if every is not None:
        return Cadence(every, "--every")
    ordered = sorted(times)
    gaps = sorted(b - a for a, b in itertools.pairwise(ordered) if b > a)
    if gaps:
        half = len(gaps) // 2
        median = gaps[half] if len(gaps) % 2 else (gaps[half - 1] + gaps[half]) / 2
        return Cadence(median, f"the median interval between the {len(ordered)} checks")
    return Cadence(DEFAULT_EVERY, "the default: the history has no two checks; set --every")


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f} %"
