"""Calibrated drift: an effect size per column, with a confidence interval from the profiles.

A column's effect size E says how much it changed, on a scale that does not grow with the row
count (a p-value does: any change, however small, is "significant" at 1M rows):

- numerical: ``max(shift, spread)``. ``shift`` is the Wasserstein distance over the reference's
  standard deviation (Evidently's normalised Wasserstein: 0.1 is a tenth of a σ of the mean
  moved). ``spread`` is ``|log(R_cur / R_ref)|``, R the 10–90 % inter-quantile range: a variance
  change that leaves the mean alone (σ × 1.25 reads 0.22; W1 sees only 0.8 × 0.25 σ of it);
- categorical: total variation, ``½ Σ |p_i − q_i|`` over the profile's keys and "other": the
  share of rows that would have to change category; for a two-valued (binary) column it is
  ``|Δp|``, the change of the share of one value.

The interval comes from the profiles alone, whatever the row count: both sides' bucket counts are
resampled (multinomial, ``replicates`` times, seeded per column so a verdict is reproducible and
does not depend on the other columns), and E recomputed on each resample, all at once in numpy.
The basic bootstrap is used, ``2 E − E*``, which also removes E's upward bias on small samples
(two samples of one distribution never have identical histograms). The p-value is that of the
null "E ≤ tolerance": the share of bootstrap replicates whose basic-bootstrap value falls below
the tolerance (far in the tail, a normal fitted to the replicates: ``_p_value``); a column
drifts when it is rejected by Benjamini–Hochberg across the columns.
E is capped at ``CAP`` (a constant reference column that starts varying has no finite σ ratio).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from retrigger.drift.profiles import ColumnLayout, ColumnProfile

CAP = 10.0  # the largest effect size reported: ten σ (or e^10 spread) is beyond any tolerance
SPREAD = (0.10, 0.90)  # the inter-quantile range the spread term compares
TAIL_COUNT = 10  # fewer replicates than this beyond the tolerance: the p-value from a normal tail
GROUPS = 100  # a numerical column's buckets are bootstrapped in this many equal-share groups


@dataclass(frozen=True)
class Effect:
    """One column's effect size: the estimate, its interval (``level`` two-sided), the tolerance
    it is held against, and the p-value of "E ≤ tolerance" (before the split across columns)."""

    measure: str  # "shift" (numerical), "categories" (total variation), "binary" (|Δp|)
    value: float
    low: float
    high: float
    tolerance: float
    p_value: float
    level: float

    def words(self) -> str:
        """ "shifted by 0.31 (0.27–0.35), tolerance 0.10"."""
        verb = {"shift": "shifted by", "categories": "changed by", "binary": "share changed by"}
        return (
            f"{verb.get(self.measure, 'changed by')} {self.value:.2f} "
            f"({self.low:.2f}–{self.high:.2f}), tolerance {self.tolerance:.2f}"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "measure": self.measure,
            "value": self.value,
            "interval": [self.low, self.high],
            "level": self.level,
            "tolerance": self.tolerance,
            "p_value": self.p_value,
            "reading": self.words(),
        }


def measure_of(layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile) -> str:
    if layout.kind == "num":
        return "shift"
    used = np.flatnonzero(np.asarray(ref.counts) + np.asarray(cur.counts))
    return "binary" if used.size <= 2 else "categories"


def effect(
    layout: ColumnLayout,
    ref: ColumnProfile,
    cur: ColumnProfile,
    tolerance: float,
    replicates: int = 500,
    seed: int = 0,
    level: float = 0.90,
) -> Effect:
    """E between two profiles on ``layout``, its interval and the p-value of E ≤ tolerance."""
    rng = np.random.default_rng([seed, zlib.crc32(layout.name.encode())])
    r = np.asarray(ref.counts, dtype=np.int64)
    c = np.asarray(cur.counts, dtype=np.int64)
    points = _points(layout, ref, cur) if layout.kind == "num" else None
    if points is not None:
        points, r, c = _grouped(points, r, c)
    observed = _effects(points, r[None, :], c[None, :])[0]
    boot = _effects(points, _resample(rng, r, replicates), _resample(rng, c, replicates))
    basic = np.clip(2 * observed - boot, 0.0, CAP)  # the basic bootstrap's replicates of E
    tail = (1 - level) / 2
    low, mid, high = np.quantile(basic, [tail, 0.5, 1 - tail])
    p = _p_value(basic, tolerance)
    return Effect(
        measure_of(layout, ref, cur),
        float(mid),
        float(low),
        float(high),
        tolerance,
        p,
        level,
    )


def _p_value(basic: np.ndarray, tolerance: float) -> float:
    """The p-value of "E <= tolerance": the share of basic replicates at or below it.

    Far in the tail few replicates are left to count, and Benjamini–Hochberg needs p-values
    down to q/m (0.0025 for 20 columns), below what 500 replicates can resolve: when fewer than
    ``TAIL_COUNT`` replicates are on the null side, the tail of a normal with the replicates'
    mean and standard deviation is used instead (never above the count's own estimate).
    """
    from statistics import NormalDist

    below = int(np.count_nonzero(basic <= tolerance))
    counted = (1 + below) / (basic.size + 1)  # +1: a finite bootstrap never gives exactly 0
    if below >= TAIL_COUNT:
        return counted
    sd = float(basic.std())
    if sd == 0:
        return counted if below else 0.0
    tail = NormalDist(float(basic.mean()), sd).cdf(tolerance)
    return min(counted, tail)


def _resample(rng: np.random.Generator, counts: np.ndarray, replicates: int) -> np.ndarray:
    total = int(counts.sum())
    if total == 0:
        return np.zeros((replicates, counts.size), dtype=np.int64)
    return rng.multinomial(total, counts / total, size=replicates)


def _grouped(
    points: np.ndarray, r: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The buckets merged into about ``GROUPS`` runs of equal reference share: ten times fewer
    draws per replicate, and the 10 % / 90 % quantiles stay on group bounds."""
    share = r / max(int(r.sum()), 1)
    group = np.minimum(((np.cumsum(share) - share / 2) * GROUPS).astype(np.int64), GROUPS - 1)
    last = np.flatnonzero(np.diff(group, append=GROUPS))  # each group's last bucket
    bounds = np.concatenate([[points[0]], points[1:][last]])
    return (
        bounds,
        np.bincount(group, r, GROUPS)[group[last]].astype(np.int64),
        np.bincount(group, c, GROUPS)[group[last]].astype(np.int64),
    )


def _effects(points: np.ndarray | None, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """E for each row of the count matrices ``r`` and ``c`` (replicates × buckets); ``points``
    are a numerical column's bucket bounds, None for a categorical column."""
    p, q = _shares(r), _shares(c)
    if points is None:
        return np.asarray(np.minimum(0.5 * np.abs(p - q).sum(axis=1), CAP))
    shift = _over(_wasserstein(points, p, q), _std(points, p))
    low, high = SPREAD
    spread_ref = _quantile(points, p, high) - _quantile(points, p, low)
    spread_cur = _quantile(points, q, high) - _quantile(points, q, low)
    spread = _log_ratio(spread_cur, spread_ref)
    return np.asarray(np.minimum(np.maximum(shift, spread), CAP))


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum(axis=1, keepdims=True).astype(np.float64)
    return np.asarray(np.divide(counts, total, out=np.zeros(counts.shape), where=total > 0))


def _over(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """top / bottom; CAP where only the bottom is 0, 0 where both are."""
    out = np.divide(top, bottom, out=np.where(top > 0, CAP, 0.0), where=bottom > 0)
    return np.asarray(out)


def _log_ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """|log(top / bottom)|; CAP when exactly one of them is 0, 0 when both are."""
    both = (top > 0) & (bottom > 0)
    ratio = np.divide(top, bottom, out=np.ones(top.shape), where=both)
    one_zero = (top > 0) != (bottom > 0)
    return np.where(one_zero, CAP, np.abs(np.log(ratio)))


def _points(layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile) -> np.ndarray:
    """The buckets' bounds: the edges, the two outer buckets closed by both sides' min/max."""
    edges = np.asarray(layout.edges, dtype=np.float64)
    lows = [v for v in (ref.min, cur.min) if v is not None]
    highs = [v for v in (ref.max, cur.max) if v is not None]
    lo = min([*lows, float(edges[0])])
    hi = max([*highs, float(edges[-1])])
    return np.concatenate([[lo], edges, [hi]])


def _wasserstein(points: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """W1 with each side uniform inside its buckets (the CDF gap is linear in each bucket)."""
    widths = np.diff(points)
    gap = np.cumsum(p - q, axis=1)
    a = np.concatenate([np.zeros((gap.shape[0], 1)), gap[:, :-1]], axis=1)
    b = gap
    span = np.abs(a) + np.abs(b)
    crossing = np.divide(a * a + b * b, 2 * span, out=np.zeros_like(span), where=span > 0)
    area = np.where(a * b >= 0, span / 2, crossing)
    return np.asarray((area * widths).sum(axis=1))


def _std(points: np.ndarray, p: np.ndarray) -> np.ndarray:
    lo, hi = points[:-1], points[1:]
    mean = (p * (lo + hi) / 2).sum(axis=1)
    second = (p * (lo * lo + lo * hi + hi * hi) / 3).sum(axis=1)
    return np.asarray(np.sqrt(np.maximum(second - mean * mean, 0.0)))


def _quantile(points: np.ndarray, p: np.ndarray, level: float) -> np.ndarray:
    """The ``level`` quantile of each row's binned distribution (uniform inside buckets)."""
    cdf = np.cumsum(p, axis=1)
    bucket = np.minimum((cdf < level).sum(axis=1), p.shape[1] - 1)
    rows = np.arange(p.shape[0])
    before = np.where(bucket > 0, cdf[rows, np.maximum(bucket - 1, 0)], 0.0)
    share = p[rows, bucket]
    inside = np.divide(level - before, share, out=np.zeros(share.shape), where=share > 0)
    lo, hi = points[bucket], points[bucket + 1]
    return np.asarray(lo + np.clip(inside, 0.0, 1.0) * (hi - lo))
