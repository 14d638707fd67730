"""The drift statistics: a ``StatTest`` Protocol and a registry dict (STYLE.md #7).

Every test mirrors the Evidently 0.7 test of the same name: same statistic, same default
threshold, same comparison (``<`` or ``<=`` for p-values, ``>=`` or ``>`` for distances), same
binning. Scores come from scipy for the p-value tests, imported inside the test that needs it:
``scipy.stats`` costs 0.5 s to import, more than a 300k-row comparison. The defaults above 1000
rows (Wasserstein, Jensen-Shannon) and the z-test are a few lines of numpy, equal to scipy's
(see the tests), so a default run never imports scipy.
"""

from __future__ import annotations

import math
import operator
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from retrigger.drift.samples import Sample, binned, wasserstein

if TYPE_CHECKING:
    from collections.abc import Callable

Compare = Literal["<", "<=", ">=", ">"]
_OPS: dict[Compare, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">=": operator.ge,
    ">": operator.gt,
}


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

    @property
    def compare(self) -> Compare: ...

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
            try:
                return float(self.func(sample))
            except (ValueError, ZeroDivisionError, FloatingPointError):
                # A test undefined on this data (e.g. Anderson-Darling on one repeated value):
                # no score, so no drift, reported as a null score.
                return float("nan")

    def drifted(self, score: float, threshold: float) -> bool:
        return not np.isnan(score) and _OPS[self.compare](score, threshold)


def _ks(s: Sample) -> float:
    from scipy import stats

    return float(stats.ks_2samp(s.ref, s.cur).pvalue)


def _chi2(s: Sample) -> float:
    from scipy import stats

    _, ref_counts, cur_counts = s.counts()
    expected = ref_counts * (cur_counts.sum() / ref_counts.sum())
    return float(stats.chisquare(cur_counts, expected).pvalue)


def _g_test(s: Sample) -> float:
    # Expected counts scaled to the current size (as in chi2): Evidently passes raw reference
    # counts, which scipy refuses unless both sides have the same number of rows.
    from scipy import stats

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
    return math.erfc(abs(float(z)) / math.sqrt(2))  # two-sided normal tail: 2 * sf(|z|)


def _wasserstein_norm(s: Sample) -> float:
    return wasserstein(s.ref, s.cur) / max(float(np.std(s.ref)), 0.001)


def _jensenshannon(s: Sample) -> float:
    """scipy.spatial.distance.jensenshannon (natural log), without importing scipy."""
    p, q = binned(s, fill_zeros=False)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    divergence = _relative_entropy(p, m) + _relative_entropy(q, m)
    return math.sqrt(max(divergence, 0.0) / 2)


def _relative_entropy(p: np.ndarray, q: np.ndarray) -> float:
    """sum p log(p/q) with 0 log 0 = 0 (scipy.special.rel_entr summed); q > 0 where p > 0."""
    used = p > 0
    return float(np.sum(p[used] * np.log(p[used] / q[used])))


def _psi(s: Sample) -> float:
    p, q = binned(s, fill_zeros=True)
    return float(np.sum((p - q) * np.log(p / q)))


def _kl_div(s: Sample) -> float:
    p, q = binned(s, fill_zeros=True)
    return _relative_entropy(p / p.sum(), q / q.sum())  # scipy.stats.entropy(p, q)


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


def _energy(s: Sample) -> float:
    from scipy import stats

    return float(stats.energy_distance(s.ref, s.cur))


def _t_test(s: Sample) -> float:
    from scipy import stats

    return float(stats.ttest_ind(s.ref, s.cur).pvalue)


def _mannw(s: Sample) -> float:
    from scipy import stats

    return float(stats.mannwhitneyu(s.ref, s.cur, alternative="less").pvalue)


def _anderson(s: Sample) -> float:
    from scipy import stats

    return float(stats.anderson_ksamp([s.ref, s.cur]).pvalue)


def _cramer_von_mises(s: Sample) -> float:
    from scipy import stats

    return float(stats.cramervonmises_2samp(s.ref, s.cur).pvalue)


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
        FuncTest("ed", NUM, 0.1, ">", _energy),
        FuncTest("t_test", NUM, 0.05, "<", _t_test),
        FuncTest("mannw", NUM, 0.05, "<", _mannw),
        FuncTest("anderson", NUM, 0.1, "<", _anderson),
        FuncTest("cramer_von_mises", NUM, 0.1, "<=", _cramer_von_mises),
    ]
}
# What the reports call each test: the statistic's own name, and whether the score is a p-value.
FULL_NAMES = {
    "ks": "Kolmogorov–Smirnov p-value",
    "chi2": "chi-square p-value",
    "z": "Z-test p-value",
    "wasserstein": "Wasserstein distance (normed)",
    "jensenshannon": "Jensen–Shannon distance",
    "psi": "Population Stability Index",
    "kl_div": "Kullback–Leibler divergence",
    "hellinger": "Hellinger distance",
    "g_test": "G-test p-value",
    "ed": "energy distance",
    "t_test": "t-test p-value",
    "mannw": "Mann–Whitney U p-value",
    "anderson": "Anderson–Darling p-value",
    "cramer_von_mises": "Cramér–von Mises p-value",
    "schema": "schema change",
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
