"""One column's cleaned data from both sides, and the shapes the statistics take of it:
distinct values and counts, Evidently's bins, and the Wasserstein distance of sorted samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyarrow as pa

from retrigger.drift.columns import plain_numpy

# Evidently bins a numerical column into a histogram only above this many reference values.
HISTOGRAM_MIN_UNIQUE = 20
_WASSERSTEIN_BLOCK = 1 << 22  # quantile breakpoints merged at a time (~200 MB of temporaries)


@dataclass
class Sample:
    """One column's non-missing data from both sides, as the tests consume it.

    ``num``: ``ref``/``cur`` are sorted finite float64 values. ``cat``: ``keys`` are the distinct
    values and ``ref_counts``/``cur_counts`` how often each occurs on each side.
    """

    kind: Literal["num", "cat"]
    ref: np.ndarray = field(default_factory=lambda: np.empty(0))
    cur: np.ndarray = field(default_factory=lambda: np.empty(0))
    keys: pa.Array | np.ndarray | None = None
    ref_counts: np.ndarray | None = None
    cur_counts: np.ndarray | None = None

    @property
    def n_ref(self) -> int:
        return int(self.ref.size if self.kind == "num" else self.counts()[1].sum())

    @property
    def n_cur(self) -> int:
        return int(self.cur.size if self.kind == "num" else self.counts()[2].sum())

    def counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sorted distinct values (or their keys) and the per-side count of each."""
        if self.ref_counts is None or self.cur_counts is None:
            values = np.union1d(_uniq_sorted(self.ref), _uniq_sorted(self.cur))
            self.keys = values
            self.ref_counts = _occurrences(self.ref, values)
            self.cur_counts = _occurrences(self.cur, values)
        assert self.keys is not None
        if not isinstance(self.keys, np.ndarray):
            self.keys = _keys_numpy(self.keys)  # once: every test asks for the counts
        return self.keys, self.ref_counts, self.cur_counts

    def n_unique(self, limit: int) -> int:
        """Distinct values of both sides together (what Evidently's test choice counts), exact
        up to ``limit``: above it, only "more than ``limit``" matters, and a 2M-value union is
        not worth building to learn it."""
        if self.kind == "cat":
            _, ref_counts, cur_counts = self.counts()
            return int(np.count_nonzero(ref_counts + cur_counts))
        for side in (self.ref, self.cur):
            distinct = _n_distinct_sorted(side)
            if distinct > limit:
                return distinct
        return int(np.union1d(_uniq_sorted(self.ref), _uniq_sorted(self.cur)).size)


def _keys_numpy(keys: pa.Array) -> np.ndarray:
    """Category keys as numpy: numbers from their buffer, anything else as Python objects
    (``to_numpy`` would import pandas, see ``columns.plain_numpy``)."""
    if keys.null_count == 0 and (pa.types.is_integer(keys.type) or pa.types.is_floating(keys.type)):
        return plain_numpy([keys])
    return np.array(keys.to_pylist(), dtype=object)


def _occurrences(sorted_values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """How often each key occurs in a sorted array: two binary searches per key, no hashing."""
    left = np.searchsorted(sorted_values, keys, side="left")
    return np.searchsorted(sorted_values, keys, side="right") - left


def _n_distinct_sorted(values: np.ndarray) -> int:
    """How many distinct values an already sorted array holds, without copying them out."""
    return int(values.size and np.count_nonzero(values[1:] != values[:-1]) + 1)


def _uniq_sorted(values: np.ndarray) -> np.ndarray:
    """Distinct values of an already sorted array, without a second sort."""
    if values.size == 0:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    unique: np.ndarray = values[keep]
    return unique


def wasserstein(u: np.ndarray, v: np.ndarray, block: int = _WASSERSTEIN_BLOCK) -> float:
    """First Wasserstein distance of two sorted samples: the area between their quantile functions.

    Equal to ``scipy.stats.wasserstein_distance`` (see the tests) but 6x faster at a million rows:
    the breakpoints of both quantile functions are i/n and j/m; scaled by n*m they are exact
    integers, merged by one integer sort instead of scipy's argsorts and searchsorts. The merge
    runs in blocks of the [0, n*m] range, so memory stays bounded at any size.
    """
    n, m = u.size, v.size
    if n == m:
        return float(np.mean(np.abs(u - v)))  # same breakpoints: quantiles pair up one to one
    total = n * m
    blocks = -(-(n + m) // block)
    area = sum(
        _quantile_gap_area(u, v, total * b // blocks, total * (b + 1) // blocks)
        for b in range(blocks)
    )
    return area / total


def _quantile_gap_area(u: np.ndarray, v: np.ndarray, low: int, high: int) -> float:
    """Area between the two quantile functions over (low, high], in units of 1/(n*m)."""
    n, m = u.size, v.size
    steps = np.concatenate(
        [
            np.arange(low // m + 1, high // m + 1, dtype=np.int64) * m,
            np.arange(low // n + 1, high // n + 1, dtype=np.int64) * n,
        ]
    )
    steps.sort(kind="stable")  # two sorted runs: timsort merges them in linear time
    widths = np.diff(steps, prepend=max(low // m * m, low // n * n))
    gaps = np.abs(u[(steps + m - 1) // m - 1] - v[(steps + n - 1) // n - 1])
    return float(np.dot(widths, gaps))


def binned(s: Sample, fill_zeros: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each side's share per bin, as Evidently's ``get_binned_data`` builds them.

    Numerical columns with more than 20 distinct reference values: Sturges bins over both sides
    (Evidently's ``n_bins=30`` is accepted but never used); otherwise one bin per distinct value.
    Zero shares become a tiny number when asked, so PSI and KL stay finite.
    """
    if s.kind == "num" and _n_distinct_sorted(s.ref) > HISTOGRAM_MIN_UNIQUE:
        edges = np.histogram_bin_edges(np.concatenate([s.ref, s.cur]), bins="sturges")
        p = np.histogram(s.ref, edges)[0] / s.ref.size
        q = np.histogram(s.cur, edges)[0] / s.cur.size
    else:
        _, ref_counts, cur_counts = s.counts()
        keep = (ref_counts + cur_counts) > 0
        p = ref_counts[keep] / ref_counts.sum()
        q = cur_counts[keep] / cur_counts.sum()
    if fill_zeros:
        p, q = _fill_zeros(p), _fill_zeros(q)
    return p, q


def _fill_zeros(shares: np.ndarray) -> np.ndarray:
    smallest = shares[shares > 0].min()
    filled: np.ndarray = np.where(shares == 0, smallest / 1e6 if smallest <= 1e-4 else 1e-4, shares)
    return filled
