"""Spark (``local[2]``) profiles the same partitions to the same integers as DuckDB and a plain
pyarrow pass, reads only uncached partitions, and names schema changes as DuckDB does.

One SparkSession for the module: a JVM start costs seconds on these machines.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retrigger.drift.engines.duckdb import DuckDBEngine
from retrigger.drift.engines.spark import SparkEngine
from retrigger.drift.partitions import discover
from retrigger.drift.profiles import ColumnLayout, Layout, ProfileCache, merge_all
from tests.support.numpy_profile import table_profile

pytestmark = pytest.mark.slow  # a JVM

DAYS = 4
ROWS_PER_DAY = 25_000


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.fail("no java on PATH: scripts/test.sh installs a JDK (Spark 4 needs Java 17+)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("retrigger-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def _day(rng: np.random.Generator, n: int, shift: float) -> pa.Table:
    x = rng.normal(shift, 1.0, n)
    x[rng.random(n) < 0.01] = np.nan
    x[rng.random(n) < 0.001] = -np.inf
    cats = [f"k{i}" for i in range(30)]
    return pa.table(
        {
            "x": pa.array(x, mask=rng.random(n) < 0.01),
            "amount": pa.array(rng.integers(0, 300, n)),
            "city": pa.array(rng.choice(cats, n), mask=rng.random(n) < 0.02),
            "member": pa.array(rng.random(n) < 0.3),
        }
    )


def _write(root: Path, day: int, table: pa.Table) -> None:
    folder = root / f"date=2024-02-{day:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "part-0.parquet")


@pytest.fixture
def days(tmp_path: Path) -> tuple[Path, list[pa.Table]]:
    rng = np.random.default_rng(4)
    tables = [_day(rng, ROWS_PER_DAY, d / 10) for d in range(DAYS)]
    root = tmp_path / "events"
    for d, table in enumerate(tables, start=1):
        _write(root, d, table)
    return root, tables


def test_spark_counts_are_duckdbs_and_pyarrows_exactly(
    spark: Any, days: tuple[Path, list[pa.Table]]
) -> None:
    root, tables = days
    layout = DuckDBEngine().layout(root, bins=200, top_k=20)
    parts = discover(root)

    by_spark = SparkEngine(session=spark).profile_parts(parts, layout, str(root))
    by_duckdb = DuckDBEngine().profile(root, layout)

    assert by_spark.reason is None and by_spark.profile is not None
    assert by_spark.profile == by_duckdb.profile  # rows, bytes, every count, min and max
    plain = merge_all(layout, [table_profile(layout, t) for t in tables])
    assert by_spark.profile.columns == plain.columns
    assert by_spark.profile.partitions == DAYS


@pytest.mark.parametrize("n_edges", [1, 2, 1023, 1024, 1025])
def test_spark_binary_search_bins_every_value_on_and_between_edges(
    spark: Any, tmp_path: Path, n_edges: int
) -> None:
    # Spark finds a bucket by binary search in power-of-two steps: edge counts at and around
    # a power of two, and values on every edge, are where such a search goes wrong.
    root = tmp_path / "edges"
    values = np.repeat(np.arange(-1.0, n_edges + 1.0, 0.5), 2)  # on and between edges, ties
    _write(root, 1, pa.table({"x": pa.array(values)}))
    edges = tuple(float(e) for e in range(n_edges))
    layout = Layout((ColumnLayout("x", "num", "DOUBLE", edges=edges),))

    by_spark = SparkEngine(session=spark).profile_parts(discover(root), layout, str(root))

    assert by_spark.profile is not None
    expected = np.bincount(np.searchsorted(edges, values, side="left"), minlength=n_edges + 1)
    assert by_spark.profile.column("x").counts == tuple(int(n) for n in expected)
    assert by_spark.profile == DuckDBEngine().profile(root, layout).profile


def test_spark_layout_profiles_and_reads_only_new_partitions(
    spark: Any, days: tuple[Path, list[pa.Table]], tmp_path: Path
) -> None:
    root, tables = days
    engine = SparkEngine(ProfileCache(tmp_path / "profiles"), session=spark)
    layout = engine.layout_of(discover(root), str(root), bins=50, top_k=10)
    assert [(c.name, c.kind, c.dtype) for c in layout.columns] == [
        ("x", "num", "DOUBLE"),
        ("amount", "num", "BIGINT"),
        ("city", "cat", "VARCHAR"),
        ("member", "cat", "BOOLEAN"),
    ]  # the hive key `date` is not profiled
    first = engine.profile_parts(discover(root), layout, str(root))
    assert len(first.read) == DAYS

    _write(root, 9, tables[0])
    after = engine.profile_parts(discover(root), layout, str(root))

    assert after.read == ("date=2024-02-09",)
    assert after.profile == DuckDBEngine().profile(root, layout).profile


def test_a_changed_type_is_named_as_duckdb_names_it(
    spark: Any, days: tuple[Path, list[pa.Table]], tmp_path: Path
) -> None:
    root, tables = days
    layout = DuckDBEngine().layout(root, bins=20, top_k=5)
    _write(root, 9, tables[0].set_column(1, "amount", pa.array(["n/a"] * ROWS_PER_DAY)))
    cache = tmp_path / "profiles"

    result = SparkEngine(ProfileCache(cache), session=spark).profile_parts(
        discover(root), layout, str(root)
    )

    assert result.profile is None
    assert result.reason == (
        "partition date=2024-02-09: column 'amount' is VARCHAR, the reference's is BIGINT"
    )
    assert not cache.exists()
