"""Edge cases handled on purpose and reported, not errors; options that change verdicts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from tests.drift.conftest import Writer, drift_of


def test_all_missing_column_is_reported_not_tested(write: Writer) -> None:
    report = drift_of(
        write("r.parquet", {"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]}),
        write("c.parquet", {"x": [np.nan] * 3, "y": [1.0, 2.0, 3.0]}),
    )

    assert report.skipped["x"].reason == "all_missing"
    assert list(report.columns) == ["y"]


def test_columns_on_one_side_are_reported_and_optionally_count_as_drift(write: Writer) -> None:
    ref = write("r.parquet", {"a": [1.0, 2.0], "gone": [1.0, 2.0]})
    cur = write("c.parquet", {"a": [1.0, 2.0], "new": ["x", "y"]})

    plain = drift_of(ref, cur)
    strict = drift_of(ref, cur, schema_change_is_drift=True)

    assert {n: s.reason for n, s in plain.skipped.items()} == {
        "gone": "only_in_reference",
        "new": "only_in_current",
    }
    assert plain.n_columns == 1 and not plain.drift
    assert strict.drifted_columns == ["gone", "new"]
    assert strict.columns["new"].test == "schema"


def test_category_only_in_current_is_counted_and_drifts(write: Writer) -> None:
    ref = ["a"] * 300 + ["b"] * 300
    cur = ["a"] * 250 + ["b"] * 250 + ["c"] * 100

    column = drift_of(write("r.parquet", {"x": ref}), write("c.parquet", {"x": cur})).columns["x"]

    assert (column.test, column.new_categories, column.drift) == ("chi2", 1, True)


def test_constant_columns_do_not_drift(write: Writer) -> None:
    for rows, test in ((500, "z"), (5000, "jensenshannon")):
        report = drift_of(
            write("r.parquet", {"x": np.ones(rows)}), write("c.parquet", {"x": np.ones(rows)})
        )
        assert (report.columns["x"].test, report.columns["x"].drift) == (test, False)


def test_booleans_are_categories_even_with_missing_values(write: Writer) -> None:
    ref = [True, False] * 300
    cur = [True] * 500 + [None] * 100

    column = drift_of(write("r.parquet", {"x": ref}), write("c.parquet", {"x": cur})).columns["x"]

    assert (column.type, column.test, column.drift) == ("cat", "z", True)
    assert column.current_missing == 100


def test_datetimes_are_skipped_unless_a_test_is_named(write: Writer) -> None:
    start = dt.datetime(2024, 1, 1)
    ref = pa.array([start + dt.timedelta(hours=i) for i in range(500)])
    cur = pa.array([start + dt.timedelta(hours=400 + i) for i in range(500)])
    paths = write("r.parquet", {"t": ref}), write("c.parquet", {"t": cur})

    assert drift_of(*paths).skipped["t"].reason == "datetime"
    named = drift_of(*paths, stattest={"t": "ks"}).columns["t"]
    assert (named.type, named.test, named.drift) == ("num", "ks", True)


def test_per_column_threshold_and_per_type_test(rng: np.random.Generator, write: Writer) -> None:
    ref = {"a": rng.normal(0, 1, 3000), "b": rng.normal(0, 1, 3000)}
    cur = {"a": rng.normal(0.15, 1, 3000), "b": rng.normal(0.15, 1, 3000)}
    paths = write("r.parquet", ref), write("c.parquet", cur)

    report = drift_of(*paths, threshold={"a": 0.5}, stattest={"type:num": "psi"})

    assert [c.test for c in report.columns.values()] == ["psi", "psi"]
    assert report.columns["a"].threshold == 0.5 and not report.columns["a"].drift


def test_bonferroni_divides_p_value_thresholds(rng: np.random.Generator, write: Writer) -> None:
    cols = {f"c{i}": rng.normal(0, 1, 300) for i in range(4)}

    report = drift_of(write("r.parquet", cols), write("c.parquet", cols), bonferroni=True)

    assert {c.threshold for c in report.columns.values()} == {0.05 / 4}


def test_warn_band_below_the_threshold(rng: np.random.Generator, write: Writer) -> None:
    ref = rng.normal(0, 1, 5000)
    cur = ref + 0.07  # normed Wasserstein ≈ 0.07: below 0.1, above 0.6 x 0.1

    column = drift_of(
        write("r.parquet", {"x": ref}), write("c.parquet", {"x": cur}), warn=0.6
    ).columns["x"]

    assert (column.drift, column.status) == (False, "warn")


def test_dataset_drift_at_the_share_of_drifted_columns(
    rng: np.random.Generator, write: Writer
) -> None:
    ref = {"a": rng.normal(0, 1, 2000), "b": rng.normal(0, 1, 2000)}
    cur = {"a": rng.normal(1, 1, 2000), "b": rng.normal(0, 1, 2000)}
    paths = write("r.parquet", ref), write("c.parquet", cur)

    assert drift_of(*paths).drift  # 1 of 2 >= 0.5
    assert not drift_of(*paths, share=0.6).drift
