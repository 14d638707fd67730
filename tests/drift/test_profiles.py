"""Mergeable profiles: exact merges, JSON round trips, and scores within their stated bounds."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon as scipy_js

from retrigger.drift import profile_scores as ps
from retrigger.drift.profiles import ColumnLayout, DatasetProfile, Layout, empty, merge, merge_all
from retrigger.drift.samples import Sample
from retrigger.drift.stattests import get_test
from tests.support.numpy_profile import quantile_layout, table_profile


def _table(rng: np.random.Generator, n: int, shift: float = 0.0) -> pa.Table:
    x = rng.normal(shift, 1.0, n)
    x[rng.random(n) < 0.02] = np.nan
    return pa.table(
        {
            "x": pa.array(x, mask=rng.random(n) < 0.01),
            "c": pa.array(rng.choice(["a", "b", "c", "d", "e"], n, p=[0.4, 0.3, 0.2, 0.05, 0.05])),
        }
    )


@pytest.fixture
def layout() -> Layout:
    rng = np.random.default_rng(1)
    return Layout(
        (
            quantile_layout("x", rng.normal(size=5000), 200),
            ColumnLayout("c", "cat", "VARCHAR", keys=("a", "b", "c")),
        )
    )


def test_merge_of_parts_is_the_profile_of_the_whole_in_any_grouping(layout: Layout) -> None:
    whole = _table(np.random.default_rng(2), 30_000)
    a, b, c = (table_profile(layout, whole.slice(i, 10_000), 100) for i in (0, 10_000, 20_000))
    left, right = merge(merge(a, b), c), merge(a, merge(b, c))
    assert left == right == merge(c, merge(a, b)) == merge_all(layout, [a, b, c])
    expected = table_profile(layout, whole, 300)
    assert left.columns == expected.columns  # integer counts, min/max: identical
    assert (left.rows, left.bytes, left.partitions) == (30_000, 300, 3)
    assert merge(empty(layout), a) == a
    # the "other" bucket holds d and e, and every present value is in one bucket
    col = left.column("c")
    assert sum(col.counts) == col.present == 30_000 - col.missing


def test_profile_survives_json_and_refuses_another_layout(layout: Layout) -> None:
    profile = table_profile(layout, _table(np.random.default_rng(3), 1000))
    assert DatasetProfile.from_json(profile.to_json()) == profile
    other = Layout((ColumnLayout("c", "cat", "VARCHAR", keys=("a",)),))
    with pytest.raises(ValueError, match="different layouts"):
        merge(profile, empty(other))


def _num_profiles(n: int, shift: float, bins: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    ref, cur = rng.normal(0, 1, n), rng.normal(shift, 1.2, n + 777)
    col = quantile_layout("x", ref, bins)
    layout = Layout((col,))
    p = table_profile(layout, pa.table({"x": ref})).column("x")
    q = table_profile(layout, pa.table({"x": cur})).column("x")
    return ref, cur, col, p, q


@pytest.mark.parametrize("shift", [0.0, 0.05, 0.5])
def test_ks_from_profiles_is_within_one_bins_mass_of_scipy(shift: float) -> None:
    ref, cur, col, p, q = _num_profiles(40_000, shift, 1000)
    exact = stats.ks_2samp(ref, cur).statistic
    score = ps.ks(col, p, q)
    assert score.value <= exact <= score.value + score.bound
    # at most one bucket's share: ~1/1000 of the reference per bucket on quantile edges
    assert score.bound < 0.003
    p_low, p_high = (
        ps.ks_pvalue(score.value + score.bound, 40_000, 40_777),
        ps.ks_pvalue(score.value, 40_000, 40_777),
    )
    assert p_low <= stats.ks_2samp(ref, cur, method="asymp").pvalue <= p_high


@pytest.mark.parametrize("shift", [0.0, 0.3])
def test_wasserstein_from_profiles_is_within_its_bound_of_scipy(shift: float) -> None:
    ref, cur, col, p, q = _num_profiles(40_000, shift, 1000)
    exact = stats.wasserstein_distance(ref, cur)
    score = ps.wasserstein(col, p, q)
    assert abs(score.value - exact) <= score.bound
    assert abs(score.value - exact) < 1e-2
    assert ps.binned_std(col, p) == pytest.approx(np.std(ref), rel=1e-2)


def test_psi_js_and_chi2_are_exact_on_their_bins() -> None:
    _, _, col, p, q = _num_profiles(20_000, 0.5, 1000)
    gp, gq = ps.grouped_shares(col, p, q, 10)
    assert gp == pytest.approx(np.full(10, 0.1), abs=2e-3)  # deciles of the reference
    assert ps.jensenshannon(col, p, q).value == pytest.approx(scipy_js(gp, gq))
    expected_psi = float(np.sum((gp - gq) * np.log(gp / gq)))
    assert ps.psi(col, p, q).value == pytest.approx(expected_psi)
    assert ps.psi(col, p, p).value == 0.0

    cat = ColumnLayout("c", "cat", "VARCHAR", keys=("a", "b"))
    layout = Layout((cat,))
    ref = table_profile(layout, pa.table({"c": ["a"] * 50 + ["b"] * 30 + ["z"] * 20}))
    cur = table_profile(layout, pa.table({"c": ["a"] * 40 + ["b"] * 40 + ["y"] * 40}))
    scipy_p = stats.chisquare([40, 40, 40], np.array([50, 30, 20]) * 1.2).pvalue
    assert ps.chi2(cat, ref.column("c"), cur.column("c")).value == pytest.approx(scipy_p)


def test_z_test_from_profiles_equals_the_row_test_when_every_category_is_listed() -> None:
    cat = ColumnLayout("paid", "cat", "VARCHAR", keys=("no", "yes"))
    layout = Layout((cat,))
    ref = table_profile(layout, pa.table({"paid": ["no"] * 700 + ["yes"] * 300}))
    cur = table_profile(layout, pa.table({"paid": ["no"] * 620 + ["yes"] * 380}))
    rows = Sample(
        "cat",
        keys=np.array(["no", "yes"], dtype=object),
        ref_counts=np.array([700, 300]),
        cur_counts=np.array([620, 380]),
    )
    z = get_test("z")
    assert z is not None
    expected = z.score(rows)
    assert ps.z_test(cat, ref.column("paid"), cur.column("paid")).value == pytest.approx(expected)
    assert expected < 0.05  # a real shift, so the comparison is not of two 1.0s
