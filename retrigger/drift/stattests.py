"""The drift statistics: a ``StatTest`` Protocol and a registry dict (STYLE.md #7).

Every test mirrors the Evidently 0.7 test of the same name: same statistic, same default
threshold, same comparison (``<`` or ``<=`` for p-values, ``>=`` or ``>`` for distances), same
binning. Scores come from scipy wherever scipy has the statistic; the exception is the
Wasserstein distance, computed from sorted samples (equal to scipy's to ~1e-12, see the tests)
because scipy's argsort-based version is 6x slower at a million rows.
"""

from __future__ import annotations

import operator
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import pyarrow as pa
from scipy import stats
from scipy.spatial import distance

if TYPE_CHECKING:
    from collections.abc import Callable

Compare = Literal["<", "<=", ">=", ">"]
_OPS: dict[Compare, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">=": operator.ge,
    ">": operator.gt,
}
# Evidently bins a numerical column into a histogram only above this many reference values.
HISTOGRAM_MIN_UNIQUE = 20


@dataclass
class Sample:
    """One column's non-missing data from both sides, as the tests consume it.

    ``num``: ``ref``/``cur`` are sorted finite float64 values. ``cat``: ``keys`` are the distinct
    values and ``ref_counts``/``cur_counts`` how often each occurs on each side.
    """

    kind: Literal["num", "cat"]
    ref: np.ndarray = field(default_factory=lambda: np.empty(0))
    cur: np.ndarray = field(default_factory=lambda: np.empty(0))
    keys: pa.Array | None = None
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
            self.keys = pa.array(values)
            self.ref_counts = _occurrences(self.ref, values)
            self.cur_counts = _occurrences(self.cur, values)
        assert self.keys is not None
        keys = np.asarray(self.keys.to_numpy(zero_copy_only=False))
        return keys, self.ref_counts, self.cur_counts

    def n_unique(self, limit: int) -> int:
        """Distinct values of both sides together (what Evidently's test choice counts), exact
        up to ``limit``: above it, only "more than ``limit``" matters, and a 2M-value union is
        not worth building to learn it."""
        if self.kind == "cat":
            _, ref_counts, cur_counts = self.counts()
            return int(np.count_nonzero(ref_counts + cur_counts))
        ref_unique = _uniq_sorted(self.ref)
        if ref_unique.size > limit:
            return int(ref_unique.size)
        cur_unique = _uniq_sorted(self.cur)
        if cur_unique.size > limit:
            return int(cur_unique.size)
        return int(np.union1d(ref_unique, cur_unique).size)


def _occurrences(sorted_values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """How often each key occurs in a sorted array: two binary searches per key, no hashing."""
    left = np.searchsorted(sorted_values, keys, side="left")
    return np.searchsorted(sorted_values, keys, side="right") - left


class StatTest(Protocol):
    """A drift statistic: a score for a ``Sample`` and the rule that turns it into a verdict."""

    @property
    def name(self) -> str: ...

    @property
    def kinds(self) -> frozenset[str]: ...

    @property
    def default_threshold(self) -> float: ...

    @property
    def is_pvalue(self) -> bool: ...

    def score(self, sample: Sample) -> float: ...

    def drifted(self, score: float, threshold: float) -> bool: ...


@dataclass(frozen=True)
class FuncTest:
    """A ``StatTest`` made of a scoring function and a comparison against the threshold."""

    name: str
    kinds: frozenset[str]
    default_threshold: float
    compare: Compare
    func: Callable[[Sample], float]

    @property
    def is_pvalue(self) -> bool:
        return self.compare in ("<", "<=")

    def score(self, sample: Sample) -> float:
        # scipy warns on capped p-values and zero expected counts; the score already says so.
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(self.func(sample))

    def drifted(self, score: float, threshold: float) -> bool:
        return not np.isnan(score) and _OPS[self.compare](score, threshold)


def _uniq_sorted(values: np.ndarray) -> np.ndarray:
    """Distinct values of an already sorted array, without a second sort."""
    if values.size == 0:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    unique: np.ndarray = values[keep]
    return unique


def wasserstein(u: np.ndarray, v: np.ndarray) -> float:
    """First Wasserstein distance of two sorted samples: the area between their quantile functions.

    Breakpoints of both empirical quantile functions are i/n and j/m; scaled by n*m they are exact
    integers, so one integer sort replaces scipy's three argsorts and two searchsorts.
    """
    n, m = u.size, v.size
    if n == m:
        return float(np.mean(np.abs(u - v)))  # same breakpoints: quantiles pair up one to one
    steps = np.concatenate([np.arange(1, n + 1, dtype=np.int64) * m,
                            np.arange(1, m + 1, dtype=np.int64) * n])
    steps.sort(kind="stable")  # two sorted runs: timsort merges them in linear time
    widths = np.diff(steps, prepend=0)
    gaps = np.abs(u[(steps + m - 1) // m - 1] - v[(steps + n - 1) // n - 1])
    return float(np.dot(widths, gaps)) / (n * m)


def binned(s: Sample, fill_zeros: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each side's share per bin, as Evidently's ``get_binned_data`` builds them.

    Numerical columns with more than 20 distinct reference values: Sturges bins over both sides
    (Evidently's ``n_bins=30`` is accepted but never used); otherwise one bin per distinct value.
    Zero shares become a tiny number when asked, so PSI and KL stay finite.
    """
    if s.kind == "num" and _uniq_sorted(s.ref).size > HISTOGRAM_MIN_UNIQUE:
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


def _ks(s: Sample) -> float:
    return float(stats.ks_2samp(s.ref, s.cur).pvalue)


def _chi2(s: Sample) -> float:
    _, ref_counts, cur_counts = s.counts()
    expected = ref_counts * (cur_counts.sum() / ref_counts.sum())
    return float(stats.chisquare(cur_counts, expected).pvalue)


def _g_test(s: Sample) -> float:
    # Expected counts scaled to the current size (as in chi2): Evidently passes raw reference
    # counts, which scipy refuses unless both sides have the same number of rows.
    _, ref_counts, cur_counts = s.counts()
    expected = ref_counts * (cur_counts.sum() / ref_counts.sum())
    return float(stats.power_divergence(cur_counts, expected, lambda_="log-likelihood").pvalue)


def _z(s: Sample) -> float:
    """Two-proportion z-test on the share of values other than the smallest key."""
    keys, ref_counts, cur_counts = s.counts()
    present = (ref_counts + cur_counts) > 0
    keys, ref_counts, cur_counts = keys[present], ref_counts[present], cur_counts[present]
    if np.count_nonzero(ref_counts) == 1 and np.array_equal(ref_counts > 0, cur_counts > 0):
        return 1.0  # the same single value on both sides
    first = int(np.argsort(keys, kind="stable")[0])
    n1, n2 = ref_counts.sum(), cur_counts.sum()
    p1, p2 = 1 - ref_counts[first] / n1, 1 - cur_counts[first] / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(2 * stats.norm.sf(abs(z)))


def _wasserstein_norm(s: Sample) -> float:
    return wasserstein(s.ref, s.cur) / max(float(np.std(s.ref)), 0.001)


def _jensenshannon(s: Sample) -> float:
    return float(distance.jensenshannon(*binned(s, fill_zeros=False)))


def _psi(s: Sample) -> float:
    p, q = binned(s, fill_zeros=True)
    return float(np.sum((p - q) * np.log(p / q)))


def _kl_div(s: Sample) -> float:
    return float(stats.entropy(*binned(s, fill_zeros=True)))


def _hellinger(s: Sample) -> float:
    if s.kind == "cat":
        p, q = binned(s, fill_zeros=False)
        overlap = float(np.sum(np.sqrt(p * q)))
    else:
        # Evidently bins the distinct values (not the rows) with Sturges, as densities.
        edges = np.histogram_bin_edges(np.unique(np.concatenate([s.ref, s.cur])), bins="sturges")
        h1 = np.histogram(s.ref, edges, density=True)[0]
        h2 = np.histogram(s.cur, edges, density=True)[0]
        overlap = float(np.sum(np.sqrt(h1 * h2))) * (edges[-1] - edges[0]) / (edges.size - 1)
    return float(np.sqrt(1 - np.clip(overlap, 0, 1)))


NUM, CAT, BOTH = frozenset({"num"}), frozenset({"cat"}), frozenset({"num", "cat"})

TESTS: dict[str, StatTest] = {
    t.name: t
    for t in [
        FuncTest("ks", NUM, 0.05, "<=", _ks),
        FuncTest("chi2", CAT, 0.05, "<", _chi2),
        FuncTest("z", CAT, 0.05, "<", _z),
        FuncTest("wasserstein", NUM, 0.1, ">=", _wasserstein_norm),
        FuncTest("jensenshannon", BOTH, 0.1, ">=", _jensenshannon),
        FuncTest("psi", BOTH, 0.1, ">=", _psi),
        FuncTest("kl_div", BOTH, 0.1, ">=", _kl_div),
        FuncTest("hellinger", BOTH, 0.1, ">=", _hellinger),
        FuncTest("g_test", CAT, 0.1, "<", _g_test),
        FuncTest("ed", NUM, 0.1, ">", lambda s: stats.energy_distance(s.ref, s.cur)),
        FuncTest("t_test", NUM, 0.05, "<", lambda s: stats.ttest_ind(s.ref, s.cur).pvalue),
        FuncTest(
            "mannw", NUM, 0.05, "<",
            lambda s: stats.mannwhitneyu(s.ref, s.cur, alternative="less").pvalue,
        ),
        FuncTest(
            "anderson", NUM, 0.1, "<",
            lambda s: stats.anderson_ksamp([s.ref, s.cur]).pvalue,
        ),
        FuncTest(
            "cramer_von_mises", NUM, 0.1, "<=",
            lambda s: stats.cramervonmises_2samp(s.ref, s.cur).pvalue,
        ),
    ]
}
# Evidently's names for the same tests, accepted wherever a test is named.
ALIASES = {"chisquare": "chi2", "wasserstein_distance": "wasserstein", "energy_distance": "ed"}


def get_test(name: str) -> StatTest | None:
    return TESTS.get(ALIASES.get(name, name))


def default_test(kind: str, reference_rows: int, n_unique: int) -> StatTest:
    """Evidently's default choice, from the non-missing reference rows and the distinct values
    of both sides together."""
    if reference_rows <= 1000:
        if kind == "num" and n_unique > 5:
            return TESTS["ks"]
        return TESTS["chi2"] if n_unique > 2 else TESTS["z"]
    if kind == "num" and n_unique > 5:
        return TESTS["wasserstein"]
    return TESTS["jensenshannon"]


# The largest distinct-value count default_test distinguishes (numerical: "more than 5").
CHOICE_UNIQUE_LIMIT = 5
