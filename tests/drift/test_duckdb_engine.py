"""DuckDB profiles of hive-partitioned Parquet: exact counts, cache, schema changes, DVC md5s."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retrigger.drift.engines.duckdb import DuckDBEngine
from retrigger.drift.partitions import dvc_md5s
from retrigger.drift.profiles import Layout, ProfileCache, merge_all
from retrigger.errors import BadInput
from tests.support.numpy_profile import table_profile

DAYS = 10
ROWS_PER_DAY = 20_000  # 200k rows in all


def _day(rng: np.random.Generator, n: int, shift: float = 0.0) -> pa.Table:
    x = rng.normal(shift, 1.0, n)
    x[rng.random(n) < 0.01] = np.nan
    x[rng.random(n) < 0.001] = np.inf
    cats = [f"k{i}" for i in range(40)]
    return pa.table(
        {
            "x": pa.array(x, mask=rng.random(n) < 0.01),
            "amount": pa.array(rng.integers(0, 500, n)),
            "city": pa.array(rng.choice(cats, n), mask=rng.random(n) < 0.02),
        }
    )


def _write_day(root: Path, day: int, table: pa.Table) -> Path:
    folder = root / f"date=2024-01-{day:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "part-0.parquet")
    return folder


@pytest.fixture
def days(tmp_path: Path) -> tuple[Path, list[pa.Table]]:
    rng = np.random.default_rng(27)
    tables = [_day(rng, ROWS_PER_DAY, shift=d / 20) for d in range(DAYS)]
    root = tmp_path / "events"
    for d, table in enumerate(tables, start=1):
        _write_day(root, d, table)
    return root, tables


def _layout(root: Path) -> Layout:
    return DuckDBEngine().layout(root, bins=1000, top_k=25)


def test_duckdb_counts_equal_a_plain_pyarrow_pass(days: tuple[Path, list[pa.Table]]) -> None:
    root, tables = days
    layout = _layout(root)
    assert [(c.name, c.kind) for c in layout.columns] == [
        ("x", "num"),
        ("amount", "num"),
        ("city", "cat"),
    ]  # the hive key `date` is not profiled
    assert len(layout.column("x").edges) > 900 and len(layout.column("city").keys) == 25
    result = DuckDBEngine(memory_limit="256MB", threads=1).profile(root, layout)
    assert result.reason is None and result.profile is not None
    expected = merge_all(layout, [table_profile(layout, t) for t in tables])
    assert result.profile.columns == expected.columns  # integer counts and min/max, exactly
    assert result.profile.rows == DAYS * ROWS_PER_DAY and result.profile.partitions == DAYS
    assert result.profile.bytes == sum(f.stat().st_size for f in root.rglob("*.parquet"))
    x = result.profile.column("x")
    assert x.missing == sum(
        int(np.count_nonzero(~np.isfinite(t.column("x").to_numpy(zero_copy_only=False))))
        for t in tables
    )


def test_merged_partitions_equal_the_profile_of_the_whole(
    days: tuple[Path, list[pa.Table]], tmp_path: Path
) -> None:
    root, tables = days
    layout = _layout(root)
    whole = tmp_path / "whole"
    whole.mkdir()
    pq.write_table(pa.concat_tables(tables), whole / "all.parquet")
    parts = DuckDBEngine().profile(root, layout).profile
    one = DuckDBEngine().profile(whole, layout).profile
    assert parts is not None and one is not None
    assert parts.columns == one.columns and parts.rows == one.rows


def test_a_rerun_after_one_new_day_reads_only_that_day(
    days: tuple[Path, list[pa.Table]], tmp_path: Path
) -> None:
    root, _ = days
    layout = _layout(root)
    engine = DuckDBEngine(ProfileCache(tmp_path / ".retrigger" / "profiles"))
    first = engine.profile(root, layout)
    assert len(first.read) == DAYS and engine.partitions_profiled == DAYS

    again = engine.profile(root, layout)
    assert again.read == () and engine.partitions_profiled == DAYS
    assert again.profile == first.profile

    _write_day(root, 11, _day(np.random.default_rng(99), 5000, shift=2.0))
    after = engine.profile(root, layout)
    assert after.read == ("date=2024-01-11",) and engine.partitions_profiled == DAYS + 1
    fresh = DuckDBEngine().profile(root, layout)
    assert after.profile == fresh.profile  # cached + new == everything read again
    assert after.profile is not None and after.profile.rows == DAYS * ROWS_PER_DAY + 5000

    # a rewritten day is read again: its fingerprint (size, mtime) changed
    _write_day(root, 3, _day(np.random.default_rng(5), 100))
    assert engine.profile(root, layout).read == ("date=2024-01-03",)


def test_a_missing_column_or_changed_type_names_both_and_caches_nothing(
    days: tuple[Path, list[pa.Table]], tmp_path: Path
) -> None:
    root, tables = days
    layout = _layout(root)
    _write_day(root, 11, tables[0].drop_columns(["city"]))
    changed = tables[0].set_column(1, "amount", pa.array(["n/a"] * tables[0].num_rows))
    _write_day(root, 12, changed)
    cache = tmp_path / "profiles"
    engine = DuckDBEngine(ProfileCache(cache))
    result = engine.profile(root, layout)
    assert result.profile is None
    assert result.reason == (
        "partition date=2024-01-11: column 'city' is missing (the reference's is VARCHAR); "
        "partition date=2024-01-12: column 'amount' is VARCHAR, the reference's is BIGINT"
    )
    assert engine.partitions_profiled == 0 and not cache.exists()


def test_bad_settings_and_empty_paths_are_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="'lots' is not a size like 1GB"):
        DuckDBEngine(memory_limit="lots")
    with pytest.raises(BadInput, match="threads must be at least 1, not 0"):
        DuckDBEngine(threads=0)
    with pytest.raises(BadInput, match="no Parquet partition under"):
        DuckDBEngine().layout(tmp_path)
    result = DuckDBEngine().profile(tmp_path, Layout(()))
    assert result.profile is None and result.reason == f"no Parquet partition under {tmp_path}"


def test_dvc_md5s_keep_a_touched_but_unchanged_partition_cached(
    days: tuple[Path, list[pa.Table]], tmp_path: Path
) -> None:
    root, _ = days
    repo = root.parent
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    subprocess.run(
        [sys.executable, "-m", "dvc", "init", "--no-scm", "-q"], cwd=repo, check=True, env=env
    )
    subprocess.run(
        [sys.executable, "-m", "dvc", "add", "-q", "events"], cwd=repo, check=True, env=env
    )
    dir_md5 = next(
        line.split(":", 1)[1].strip()
        for line in (repo / "events.dvc").read_text().splitlines()
        if line.strip().startswith("- md5:")
    )
    md5s = dvc_md5s(repo, dir_md5)
    assert len(md5s) == DAYS and "date=2024-01-01/part-0.parquet" in md5s

    layout = _layout(root)
    engine = DuckDBEngine(ProfileCache(tmp_path / "profiles"))
    engine.profile(root, layout, md5s)
    copy = root / "date=2024-01-02" / "part-0.parquet"
    shutil.copy(copy, copy.with_suffix(".tmp"))
    copy.with_suffix(".tmp").replace(copy)  # same bytes, new inode and mtime
    os.utime(copy, ns=(1, 1))
    assert engine.profile(root, layout, md5s).read == ()  # content by md5: nothing to read
    assert engine.profile(root, layout).read != ()  # by size and mtime: read again


def test_other_layouts_do_not_reuse_the_cache(
    days: tuple[Path, list[pa.Table]], tmp_path: Path
) -> None:
    root, _ = days
    layout = _layout(root)
    engine = DuckDBEngine(ProfileCache(tmp_path / "profiles"))
    engine.profile(root, layout)
    coarse = Layout(tuple(replace(c, edges=c.edges[::10]) for c in layout.columns))
    assert len(engine.profile(root, coarse).read) == DAYS


def test_a_corrupt_partition_makes_the_profile_unknown_and_the_reference_bad_input(
    days: tuple[Path, list[pa.Table]],
) -> None:
    root, _ = days
    layout = _layout(root)
    broken = root / "date=2024-01-11"
    broken.mkdir()
    (broken / "part-0.parquet").write_bytes(b"not parquet at all")
    result = DuckDBEngine().profile(root, layout)
    assert result.profile is None and result.reason is not None
    assert result.reason.startswith("partition date=2024-01-11: unreadable (")
    assert "\n" not in result.reason
    with pytest.raises(BadInput, match=r"the reference at .* cannot be read: "):
        DuckDBEngine().layout(root)


def test_a_column_with_no_finite_reference_value_still_profiles(tmp_path: Path) -> None:
    root = tmp_path / "t"
    _write_day(root, 1, pa.table({"x": pa.array([None, float("nan")] * 10, pa.float64())}))
    layout = DuckDBEngine().layout(root)
    assert layout.column("x").edges == ()
    _write_day(root, 2, pa.table({"x": pa.array([1.0, 2.0, None], pa.float64())}))
    profile = DuckDBEngine().profile(root, layout).profile
    assert profile is not None
    assert profile.column("x").counts == (2,) and profile.column("x").missing == 21
