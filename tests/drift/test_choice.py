"""Evidently's default test choice, at its boundaries: 1000 reference rows, 5 and 2 values,
10 integer values, half-distinct strings; rows are counted with missing values set aside."""

from __future__ import annotations

import numpy as np
import pytest

from tests.drift.conftest import Writer, drift_of


def _test_for(write: Writer, ref: object, cur: object) -> str:
    report = drift_of(write("r.parquet", {"x": ref}), write("c.parquet", {"x": cur}))
    return report.columns["x"].test


@pytest.mark.parametrize(("rows", "expected"), [(1000, "ks"), (1001, "wasserstein")])
def test_numeric_test_switches_above_1000_reference_rows(
    rng: np.random.Generator, write: Writer, rows: int, expected: str
) -> None:
    assert _test_for(write, rng.normal(size=rows), rng.normal(size=300)) == expected


def test_reference_rows_are_counted_without_missing_values(
    rng: np.random.Generator, write: Writer
) -> None:
    ref = rng.normal(size=1001)
    ref[0] = np.nan

    assert _test_for(write, ref, rng.normal(size=300)) == "ks"


@pytest.mark.parametrize(
    ("values", "small", "large"),
    [
        (5, "chi2", "jensenshannon"),
        (6, "ks", "wasserstein"),
    ],
)
def test_numeric_with_five_values_or_fewer_is_tested_as_categories(
    rng: np.random.Generator, write: Writer, values: int, small: str, large: str
) -> None:
    choices = np.arange(values) / 2  # floats, so the column stays numerical
    for rows, expected in ((500, small), (5000, large)):
        assert _test_for(write, rng.choice(choices, rows), rng.choice(choices, rows)) == expected


def test_unique_values_are_counted_on_both_sides_together(
    rng: np.random.Generator, write: Writer
) -> None:
    ref, cur = rng.choice([0.0, 1.0, 2.0], 500), rng.choice([3.0, 4.0, 5.0], 500)

    assert _test_for(write, ref, cur) == "ks"


@pytest.mark.parametrize(("values", "expected"), [(2, "z"), (3, "chi2")])
def test_categories_two_values_z_more_chi2(
    rng: np.random.Generator, write: Writer, values: int, expected: str
) -> None:
    labels = ["a", "b", "c"][:values]

    assert _test_for(write, rng.choice(labels, 500), rng.choice(labels, 500)) == expected


@pytest.mark.parametrize(("values", "kind", "test"), [(10, "cat", "chi2"), (11, "num", "ks")])
def test_integers_with_ten_values_or_fewer_are_categorical(
    rng: np.random.Generator, write: Writer, values: int, kind: str, test: str
) -> None:
    report = drift_of(
        write("r.parquet", {"x": rng.integers(0, values, 500)}),
        write("c.parquet", {"x": np.arange(500) % values}),
    )

    assert (report.columns["x"].type, report.columns["x"].test) == (kind, test)


def test_integers_with_a_missing_value_are_numerical_like_pandas_reads_them(
    rng: np.random.Generator, write: Writer
) -> None:
    cur = [int(v) for v in rng.integers(0, 4, 499)] + [None]

    report = drift_of(
        write("r.parquet", {"x": rng.integers(0, 4, 500)}), write("c.parquet", {"x": cur})
    )

    assert report.columns["x"].type == "num"
    assert report.columns["x"].current_missing == 1


def test_mostly_distinct_strings_are_text_and_not_tested(write: Writer) -> None:
    report = drift_of(
        write("r.parquet", {"x": [f"id{i}" for i in range(100)]}),
        write("c.parquet", {"x": [f"id{i}" for i in range(100)]}),
    )

    assert report.skipped["x"].reason == "text"
    assert "x" not in report.columns
