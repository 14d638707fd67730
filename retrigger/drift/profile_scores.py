"""Drift scores from two column profiles on the same layout: the one place they are computed.

Each score says how far it may be from the same score on the rows, when it can differ:

- KS: the largest gap between the two empirical CDFs, read at the bucket edges, where the
  profile knows them exactly (buckets are right-closed). Between two edges each CDF rises by
  its bucket's share only, so the exact statistic lies in ``[d, d + bound]``, ``bound`` being
  the most the gap can grow inside one bucket: at most one bin's mass (the larger side's).
- Wasserstein (W1, the area between the CDFs): each side spread uniformly inside its buckets,
  the outer buckets closed by the observed min/max. Inside a bucket the true CDF stays between
  its values at the two edges, so the error is at most ``sum(width * (p + q))`` over buckets.
- PSI and Jensen–Shannon: on the layout's buckets grouped into ``bins`` groups of about equal
  reference share (deciles by default) — exact for those bins; they are not Evidently's Sturges
  bins, which need the rows (``drift.exact`` keeps that path).
- chi²: on the categories' counts with "other" as one more category — exact for those counts.
- proportion z-test: the share of values other than the smallest listed key; the same as the
  test on the rows when every category is listed ("other" empty on both sides, as for the
  two-valued columns the test is chosen for).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from retrigger.drift.profiles import ColumnLayout, ColumnProfile

_PSI_FLOOR = 1e-4  # an empty bin's share in PSI, as Evidently fills it when no share is smaller


@dataclass(frozen=True)
class Score:
    """A score from profiles and how far the score on the rows can be from it (0: exact)."""

    value: float
    bound: float = 0.0


def _shares(profile: ColumnProfile) -> np.ndarray:
    counts = np.asarray(profile.counts, dtype=np.float64)
    total = counts.sum()
    return counts / total if total else counts


def ks(layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile) -> Score:
    """Two-sample KS statistic read at the edges; the exact one is within ``bound`` above."""
    _require(layout, "num")
    p, q = _shares(ref), _shares(cur)
    gap = np.cumsum(p) - np.cumsum(q)  # F_ref - F_cur at e_0 … e_{k-1}, then 1 - 1
    d = float(np.abs(gap[:-1]).max(initial=0.0))
    # Inside bucket i the gap is g_{i-1} + a - b with 0 <= a <= p_i, 0 <= b <= q_i: its
    # extremes, at most one bucket's share beyond the edges' gap.
    before = np.concatenate([[0.0], gap[:-1]])
    upper = float(np.maximum(np.abs(before + p), np.abs(before - q)).max(initial=0.0))
    return Score(d, max(upper - d, 0.0))


def ks_pvalue(d: float, n: int, m: int) -> float:
    """The p-value scipy's ``ks_2samp`` gives for statistic ``d`` in its asymptotic mode (the one
    it uses above 10,000 rows a side)."""
    from scipy import stats

    en = n * m / (n + m)
    return float(np.clip(stats.kstwo.sf(d, round(en)), 0.0, 1.0))


def _bucket_bounds(layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile) -> np.ndarray:
    """(lo, hi) of every bucket: the edges, the outer two closed by both sides' min and max."""
    lows = [v for v in (ref.min, cur.min) if v is not None]
    highs = [v for v in (ref.max, cur.max) if v is not None]
    edges = np.asarray(layout.edges, dtype=np.float64)
    lo = min(lows, default=float(edges[0]))
    hi = max(highs, default=float(edges[-1]))
    points = np.concatenate([[min(lo, edges[0])], edges, [max(hi, edges[-1])]])
    return points


def wasserstein(layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile) -> Score:
    """W1 with each side uniform inside its buckets; the exact one is within ``bound``."""
    _require(layout, "num")
    points = _bucket_bounds(layout, ref, cur)
    widths = np.diff(points)
    p, q = _shares(ref), _shares(cur)
    diff = np.concatenate([[0.0], np.cumsum(p) - np.cumsum(q)])  # F_ref - F_cur at each point
    a, b = diff[:-1], diff[1:]  # the difference is linear inside each bucket
    same_sign = a * b >= 0
    span = np.abs(a) + np.abs(b)
    crossing = np.divide(a * a + b * b, 2 * span, out=np.zeros_like(span), where=span > 0)
    area = np.where(same_sign, span / 2, crossing) * widths
    return Score(float(area.sum()), float(np.sum(widths * (p + q))))


def binned_std(layout: ColumnLayout, profile: ColumnProfile) -> float:
    """Standard deviation with each bucket's values spread uniformly over it (Wasserstein's
    normaliser: the profile keeps no float sums, which would not merge exactly)."""
    points = _bucket_bounds(layout, profile, profile)
    lo, hi, p = points[:-1], points[1:], _shares(profile)
    mean = float(np.sum(p * (lo + hi) / 2))
    second = float(np.sum(p * (lo * lo + lo * hi + hi * hi) / 3))
    return math.sqrt(max(second - mean * mean, 0.0))


def grouped_shares(
    layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile, bins: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' shares on the buckets grouped into ``bins`` runs of about equal reference
    share (a categorical column keeps one bin per key and "other")."""
    p, q = _shares(ref), _shares(cur)
    if layout.kind == "cat":
        return p, q
    group = np.minimum((np.cumsum(p) - p / 2) * bins, bins - 1).astype(np.int64)
    return np.bincount(group, p, bins), np.bincount(group, q, bins)


def psi(layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile, bins: int = 10) -> Score:
    p, q = grouped_shares(layout, ref, cur, bins)
    p, q = np.where(p == 0, _PSI_FLOOR, p), np.where(q == 0, _PSI_FLOOR, q)
    return Score(float(np.sum((p - q) * np.log(p / q))))


def jensenshannon(
    layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile, bins: int = 10
) -> Score:
    """scipy.spatial.distance.jensenshannon (natural log) of the grouped shares."""
    p, q = grouped_shares(layout, ref, cur, bins)
    m = (p + q) / 2
    divergence = _rel_entropy(p, m) + _rel_entropy(q, m)
    return Score(math.sqrt(max(divergence, 0.0) / 2))


def _rel_entropy(p: np.ndarray, q: np.ndarray) -> float:
    used = p > 0
    return float(np.sum(p[used] * np.log(p[used] / q[used])))


def chi2(layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile) -> Score:
    """Chi-squared p-value of the current counts against the reference's, scaled to the current
    size (as the in-memory test does); categories absent from both sides are left out."""
    from scipy import stats

    _require(layout, "cat")
    r = np.asarray(ref.counts, dtype=np.float64)
    c = np.asarray(cur.counts, dtype=np.float64)
    keep = (r + c) > 0
    r, c = r[keep], c[keep]
    expected = r * (c.sum() / r.sum())
    return Score(float(stats.chisquare(c, expected).pvalue))


def z_test(layout: ColumnLayout, ref: ColumnProfile, cur: ColumnProfile) -> Score:
    """Two-sided two-proportion z-test p-value, as ``stattests`` computes it on the rows."""
    _require(layout, "cat")
    r = np.asarray(ref.counts, dtype=np.float64)
    c = np.asarray(cur.counts, dtype=np.float64)
    listed = np.flatnonzero((r[:-1] + c[:-1]) > 0)  # keys are sorted; "other" is last
    present = (r + c) > 0
    if listed.size == 0 or (np.count_nonzero(r) == 1 and np.array_equal(r > 0, c > 0)):
        return Score(1.0)  # one value on both sides (or nothing listed): no change to test
    first = int(listed[0])
    n1, n2 = r[present].sum(), c[present].sum()
    p1, p2 = 1 - r[first] / n1, 1 - c[first] / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return Score(math.erfc(abs(float(z)) / math.sqrt(2)))


def _require(layout: ColumnLayout, kind: str) -> None:
    if layout.kind != kind:
        raise ValueError(f"column {layout.name!r} is {layout.kind}, this score needs {kind}")
