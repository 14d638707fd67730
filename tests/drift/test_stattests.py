"""Each statistic against scipy (or its textbook formula) on known distributions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.spatial import distance

from retrigger.drift.samples import Sample, binned, wasserstein
from retrigger.drift.stattests import TESTS, get_test


def num(ref: np.ndarray, cur: np.ndarray) -> Sample:
    return Sample("num", ref=np.sort(ref), cur=np.sort(cur))


def cat(ref_counts: list[int], cur_counts: list[int]) -> Sample:
    import pyarrow as pa

    keys = pa.array([f"k{i}" for i in range(len(ref_counts))])
    return Sample(
        "cat", keys=keys, ref_counts=np.array(ref_counts), cur_counts=np.array(cur_counts)
    )


@pytest.mark.parametrize(("n", "m"), [(1, 1), (3, 5), (100, 100), (1000, 777), (5000, 20000)])
def test_wasserstein_equals_scipy(rng: np.random.Generator, n: int, m: int) -> None:
    u, v = rng.normal(0, 1, n), rng.exponential(1.5, m)

    assert wasserstein(np.sort(u), np.sort(v)) == pytest.approx(
        stats.wasserstein_distance(u, v), rel=1e-9, abs=1e-12
    )


@pytest.mark.parametrize("block", [1, 7, 64])
def test_wasserstein_in_blocks_equals_scipy(rng: np.random.Generator, block: int) -> None:
    u, v = rng.normal(0, 1, 101), rng.uniform(-2, 2, 57)

    assert wasserstein(np.sort(u), np.sort(v), block=block) == pytest.approx(
        stats.wasserstein_distance(u, v), rel=1e-9
    )


def test_wasserstein_is_normed_by_reference_std(rng: np.random.Generator) -> None:
    ref, cur = rng.normal(0, 2, 3000), rng.normal(0.5, 2, 2000)

    score = TESTS["wasserstein"].score(num(ref, cur))

    assert score == pytest.approx(stats.wasserstein_distance(ref, cur) / np.std(ref), rel=1e-9)
    assert TESTS["wasserstein"].drifted(score, 0.1)  # shift of 0.25 sd


def test_wasserstein_of_constant_reference_uses_floor_of_std() -> None:
    score = TESTS["wasserstein"].score(num(np.ones(2000), np.full(2000, 1.0005)))

    assert score == pytest.approx(0.0005 / 0.001)


def test_ks_equals_scipy_and_separates_known_distributions(rng: np.random.Generator) -> None:
    same = num(rng.normal(0, 1, 500), rng.normal(0, 1, 400))
    shifted = num(rng.normal(0, 1, 500), rng.normal(0.5, 1, 400))
    ks = TESTS["ks"]

    assert ks.score(same) == pytest.approx(stats.ks_2samp(same.ref, same.cur).pvalue)
    assert not ks.drifted(ks.score(same), 0.05)
    assert ks.drifted(ks.score(shifted), 0.05)


def test_chi2_equals_scipy_with_reference_scaled_to_current() -> None:
    sample = cat([300, 200, 100], [100, 150, 250])

    expected = np.array([300, 200, 100]) * (500 / 600)
    assert TESTS["chi2"].score(sample) == pytest.approx(
        stats.chisquare([100, 150, 250], expected).pvalue
    )


def test_chi2_category_only_in_current_is_drift() -> None:
    chi2 = TESTS["chi2"]

    assert chi2.drifted(chi2.score(cat([500, 500, 0], [490, 500, 10])), 0.05)


def test_z_equals_chi2_contingency_without_correction() -> None:
    # The two-proportion z-test is the 2x2 chi-squared test without Yates' correction.
    sample = cat([420, 580], [380, 420])

    expected = stats.chi2_contingency([[420, 580], [380, 420]], correction=False).pvalue
    assert TESTS["z"].score(sample) == pytest.approx(expected, rel=1e-9)


def test_z_same_single_value_is_no_drift() -> None:
    assert TESTS["z"].score(cat([1000], [800])) == 1.0


def test_jensenshannon_uses_sturges_bins_over_both_sides(rng: np.random.Generator) -> None:
    ref, cur = rng.normal(0, 1, 4000), rng.normal(0.3, 1, 3000)
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    p = np.histogram(ref, edges)[0] / ref.size
    q = np.histogram(cur, edges)[0] / cur.size

    assert TESTS["jensenshannon"].score(num(ref, cur)) == pytest.approx(
        distance.jensenshannon(p, q), rel=1e-12
    )


def test_jensenshannon_on_categories_equals_scipy() -> None:
    sample = cat([50, 30, 20], [20, 30, 50])

    assert TESTS["jensenshannon"].score(sample) == pytest.approx(
        distance.jensenshannon([0.5, 0.3, 0.2], [0.2, 0.3, 0.5])
    )


def test_numeric_with_few_values_is_binned_per_value(rng: np.random.Generator) -> None:
    ref, cur = rng.choice([0.0, 1.0, 2.0], 3000), rng.choice([0.0, 1.0, 2.0, 3.0], 3000)

    p, q = binned(num(ref, cur), fill_zeros=False)

    assert p.size == 4 and p[-1] == 0.0
    assert q.sum() == pytest.approx(1.0)


def test_psi_formula_with_zero_shares_filled() -> None:
    sample = cat([600, 400, 0], [500, 300, 200])
    p = np.array([0.6, 0.4, 1e-4])
    q = np.array([0.5, 0.3, 0.2])

    assert TESTS["psi"].score(sample) == pytest.approx(float(np.sum((p - q) * np.log(p / q))))


def test_kl_div_equals_scipy_entropy() -> None:
    sample = cat([600, 400], [500, 500])

    assert TESTS["kl_div"].score(sample) == pytest.approx(stats.entropy([0.6, 0.4], [0.5, 0.5]))


@pytest.mark.parametrize(
    "name", ["ed", "t_test", "mannw", "anderson", "cramer_von_mises", "hellinger", "psi", "kl_div"]
)
def test_every_numeric_test_separates_same_from_shifted(name: str) -> None:
    # Evenly spaced normal quantiles: the same distribution without sampling luck.
    ref = stats.norm.ppf((np.arange(800) + 0.5) / 800)
    cur = stats.norm.ppf((np.arange(700) + 0.5) / 700)
    test = TESTS[name]
    same, shifted = num(ref, cur), num(ref, cur + 1.0)

    assert not test.drifted(test.score(same), test.default_threshold)
    assert test.drifted(test.score(shifted), test.default_threshold)


def test_evidently_names_are_accepted() -> None:
    assert get_test("chisquare") is TESTS["chi2"]
    assert get_test("no-such-test") is None
