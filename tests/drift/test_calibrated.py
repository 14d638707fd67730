"""Calibrated drift on profiles: the bound's false-alarm rate by simulation, Benjamini–Hochberg
on the textbook example, and the verdict from merged partition profiles."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pydantic
import pytest
from scipy import stats

from retrigger.config.models import DriftSignalConfig
from retrigger.drift import fdr, sequential
from retrigger.drift.calibrated import effect
from retrigger.drift.calibrated_judge import CalibratedOptions, compare_profiles
from retrigger.drift.io import open_table
from retrigger.drift.profiles import (
    ColumnLayout,
    ColumnProfile,
    DatasetProfile,
    Layout,
    merge_all,
)
from retrigger.signals import drift_calibrated
from tests.drift.conftest import Writer
from tests.support.numpy_profile import quantile_layout, table_profile

BINARY = ColumnLayout("paid", "cat", "VARCHAR", keys=("no", "yes"))


def _binary(rng: np.random.Generator, n: int, share_yes: float) -> ColumnProfile:
    yes = int(rng.binomial(n, share_yes))
    return ColumnProfile("paid", n, 0, (n - yes, yes, 0))


def _rate_interval(trials: int, target: float) -> tuple[float, float]:
    """Where the false-alarm rate of ``trials`` checks falls 99 % of the time at ``target``."""
    lo, hi = stats.binom.interval(0.99, trials, target)
    return lo / trials, hi / trials


def test_bound_clears_the_tolerance_at_the_stated_rate_when_the_change_equals_it() -> None:
    # True |Δp| is exactly the tolerance: "drift" would be a false alarm, and the lower bound
    # (one-sided 95 %) must clear the tolerance in about 5 % of checks, no more.
    rng = np.random.default_rng(7)
    trials = 400
    alarms = sum(
        effect(BINARY, _binary(rng, 3000, 0.5), _binary(rng, 3000, 0.6), 0.1, 400, i).low >= 0.1
        for i in range(trials)
    )

    lo, hi = _rate_interval(trials, 0.05)
    assert lo <= alarms / trials <= hi


def _mixed_null(rng: np.random.Generator, n: int) -> pa.Table:
    data = {f"x{i}": rng.normal(size=n) for i in range(10)}
    data |= {f"c{i}": rng.choice(list("abcdef"), size=n).tolist() for i in range(5)}
    data |= {f"b{i}": rng.choice(["no", "yes"], size=n).tolist() for i in range(5)}
    return pa.table(data)


def _layout(reference: pa.Table) -> Layout:
    cols = []
    for name in reference.column_names:
        values = reference.column(name)
        if pa.types.is_floating(values.type):
            cols.append(quantile_layout(name, values.to_numpy(), 1000))
        else:
            keys = tuple(sorted(set(values.to_pylist())))
            cols.append(ColumnLayout(name, "cat", "VARCHAR", keys=keys))
    return Layout(tuple(cols))


def _null_profiles(
    rng: np.random.Generator, layout: Layout, n: int
) -> tuple[DatasetProfile, DatasetProfile]:
    """Reference and current of one stationary source: 10 normal, 5 six-valued, 5 binary."""
    sides = []
    for _ in range(2):
        cols = []
        for col in layout.columns:
            if col.kind == "num":
                x = rng.normal(size=n)
                counts = np.bincount(
                    np.searchsorted(np.asarray(col.edges), x), minlength=col.n_buckets
                )
                cols.append(
                    ColumnProfile(col.name, n, 0, tuple(map(int, counts)), x.min(), x.max())
                )
            else:
                k = len(col.keys)
                counts = rng.multinomial(n, np.ones(k) / k)
                cols.append(ColumnProfile(col.name, n, 0, (*map(int, counts), 0)))
        sides.append(DatasetProfile(layout, n, 0, 1, tuple(cols)))
    return sides[0], sides[1]


def test_twenty_stationary_columns_rarely_raise_a_false_column() -> None:
    # 20 columns at p < 0.05 each would raise at least one false column in 64 % of checks;
    # the calibrated verdict (bound vs tolerance, BH across columns) stays under 5 %.
    rng = np.random.default_rng(11)
    layout = _layout(_mixed_null(rng, 1000))
    trials, alarms = 100, 0
    options = CalibratedOptions(replicates=100, seed=3)
    for _ in range(trials):
        report = compare_profiles(*_null_profiles(rng, layout, 1000), options)
        alarms += report.n_drifted > 0
    assert alarms / trials <= _rate_interval(trials, 0.05)[1]


def test_a_shift_twice_the_tolerance_is_found_and_read_in_words() -> None:
    rng = np.random.default_rng(5)
    ref, cur = rng.normal(size=20_000), rng.normal(0.3, 1.0, size=20_000)
    layout = Layout((quantile_layout("x", ref, 1000),))
    report = compare_profiles(
        table_profile(layout, pa.table({"x": ref})),
        table_profile(layout, pa.table({"x": cur})),
        CalibratedOptions(),
    )

    column = report.columns["x"]
    assert column.drift and column.effect is not None
    assert 0.25 < column.effect.low < column.effect.value < column.effect.high < 0.35
    e = column.effect
    assert e.words() == f"shifted by {e.value:.2f} ({e.low:.2f}–{e.high:.2f}), tolerance 0.10"


def test_a_larger_spread_with_the_same_mean_is_seen() -> None:
    rng = np.random.default_rng(6)
    ref, cur = rng.normal(size=50_000), rng.normal(0.0, 1.25, size=50_000)
    layout = quantile_layout("x", ref, 1000)
    found = effect(
        layout,
        table_profile(Layout((layout,)), pa.table({"x": ref})).columns[0],
        table_profile(Layout((layout,)), pa.table({"x": cur})).columns[0],
        0.1,
    )
    assert abs(found.value - np.log(1.25)) < 0.03 and found.low > 0.1


def test_benjamini_hochberg_on_the_1995_papers_fifteen_p_values() -> None:
    # Benjamini & Hochberg (1995), section 4: at q = 0.05 the procedure rejects the four
    # smallest (Bonferroni only three).
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459]
    p += [0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000]
    shuffled = list(np.random.default_rng(0).permutation(p))

    rejected = fdr.rejected(shuffled, 0.05)

    assert sorted(x for x, r in zip(shuffled, rejected, strict=True) if r) == p[:4]
    adjusted = fdr.adjusted(shuffled)
    assert [a <= 0.05 for a in adjusted] == rejected


def test_verdict_from_merged_partition_profiles_equals_the_one_pass_verdict() -> None:
    rng = np.random.default_rng(9)
    reference = _mixed_null(rng, 4000)
    current = _mixed_null(rng, 4000)
    current = current.set_column(0, "x0", pa.array(current.column("x0").to_numpy() + 0.4))
    layout = _layout(reference)
    options = CalibratedOptions(seed=1)
    parts = [current.slice(i, 1000) for i in range(0, 4000, 1000)]
    merged = merge_all(layout, [table_profile(layout, part) for part in parts])
    one_pass = table_profile(layout, current)
    ref_profile = table_profile(layout, reference)

    by_parts = compare_profiles(ref_profile, merged, options)
    whole = compare_profiles(ref_profile, one_pass, options)

    assert by_parts.as_json() == whole.as_json()
    assert by_parts.drifted_columns == ["x0"]


def test_sequential_bets_lose_on_no_change_and_alarm_on_a_lasting_one() -> None:
    wealth: dict[str, float] = {}
    for _ in range(5):  # no change: X = 0, the wealth halves each check
        wealth = sequential.update(wealth, {"a": (0.0, 0.1), "b": (0.0, 0.1)})
    assert wealth["a"] == 0.5**5 and sequential.alarmed(wealth, 0.05) == []
    wealth = {}
    for _ in range(8):  # a lasting change at 3 ε: doubles each check, alarms at 2 / 0.05 = 40
        wealth = sequential.update(wealth, {"a": (0.3, 0.1), "b": (0.0, 0.1)})
    assert sequential.alarmed(wealth, 0.05) == ["a"]


def test_tables_compare_in_calibrated_mode_with_a_schema_change_counted(write: Writer) -> None:
    rng = np.random.default_rng(2)
    ref = write("ref.parquet", {"x": rng.normal(size=3000), "gone": rng.normal(size=3000)})
    cur = write("cur.parquet", {"x": rng.normal(0.5, 1.0, size=3000)})
    settings = DriftSignalConfig(mode="calibrated", schema_change_is_drift=True)

    with open_table(ref) as r, open_table(cur) as c:
        report = drift_calibrated.compare(r, c, settings, None)

    assert report.drifted_columns == ["x", "gone"]
    assert report.columns["gone"].test == "schema"
    assert report.skipped["gone"].reason == "only_in_reference"


def test_sequential_without_the_calibrated_mode_is_a_config_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="set mode: calibrated"):
        DriftSignalConfig(sequential=True)
