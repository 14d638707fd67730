"""``drift.mode: calibrated`` from the DuckDB engine's cached, merged partition profiles: the
verdict equals the one from one pass over the same rows, and agrees with the in-memory path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retrigger.config.models import DriftSignalConfig
from retrigger.drift.calibrated_judge import CalibratedOptions
from retrigger.drift.engines.duckdb import DuckDBEngine
from retrigger.drift.io import open_table
from retrigger.drift.partitions import discover
from retrigger.drift.profiled import Side, compare_sides
from retrigger.drift.profiles import ProfileCache
from retrigger.drift.result import DriftReport
from retrigger.signals import drift_calibrated
from retrigger.signals.drift import options_for

DAYS, ROWS = 4, 2_500
SETTINGS = DriftSignalConfig(mode="calibrated", engine="duckdb", share=0.3, bootstrap=200)


def _day(rng: np.random.Generator, shift: float, paid: float) -> pa.Table:
    return pa.table(
        {
            "x": rng.normal(shift, 1.0, ROWS),  # moved by `shift` σ
            "y": rng.normal(0.0, 1.0, ROWS),
            "paid": (rng.random(ROWS) < paid).astype(np.int64),  # 0/1: a binary column
            "city": rng.choice([f"c{i}" for i in range(6)], ROWS),
        }
    )


def _hive(root: Path, tables: list[pa.Table]) -> Path:
    for day, table in enumerate(tables, start=1):
        folder = root / f"date=2024-01-{day:02d}"
        folder.mkdir(parents=True)
        pq.write_table(table, folder / "part-0.parquet")
    return root


def _compare(reference: Path, current: Path, cache: Path) -> DriftReport:
    profiles = ProfileCache(cache)
    found = compare_sides(
        DuckDBEngine(profiles),
        "duckdb",
        Side(str(reference), discover(reference)),
        Side(str(current), discover(current)),
        options_for(SETTINGS, plots=False),
        SETTINGS,
        profiles,
        calibrated=CalibratedOptions.of(SETTINGS),
    )
    assert found.report is not None, found.reason
    return found.report


@pytest.fixture
def sides(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The reference (3 days), the current as 4 daily partitions, and the same rows as one
    file: x shifted by 0.3 σ (3 × the tolerance), paid's share up 5 points (half the tolerance)."""
    rng = np.random.default_rng(23)
    reference = _hive(tmp_path / "ref", [_day(rng, 0.0, 0.3) for _ in range(3)])
    days = [_day(rng, 0.3, 0.35) for _ in range(DAYS)]
    current = _hive(tmp_path / "cur", days)
    whole = tmp_path / "whole"
    whole.mkdir()
    pq.write_table(pa.concat_tables(days), whole / "all.parquet")
    return reference, current, whole


def test_the_verdict_from_merged_partition_profiles_equals_the_one_pass_verdict(
    sides: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    reference, current, whole = sides
    # One cache: the reference's layout is computed once and both comparisons use it.
    by_parts = _compare(reference, current, tmp_path / "profiles")
    one_pass = _compare(reference, whole, tmp_path / "profiles")

    assert by_parts.partitions is not None and len(by_parts.partitions.current) == DAYS
    assert one_pass.partitions is not None and len(one_pass.partitions.current) == 1
    columns = {n: c.as_json() for n, c in by_parts.columns.items()}
    assert columns == {n: c.as_json() for n, c in one_pass.columns.items()}
    assert by_parts.drifted_columns == ["x"]
    x = by_parts.columns["x"].effect
    assert x is not None and 0.2 < x.low < x.value < x.high < 0.4
    assert x.words().startswith("shifted by 0.3")
    # The 0/1 integer column is read as the in-memory path reads it: a binary share.
    paid = by_parts.columns["paid"]
    assert paid.type == "cat" and paid.effect is not None and paid.effect.measure == "binary"


def test_the_engines_verdict_agrees_with_the_in_memory_calibrated_path(
    sides: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    reference, current, _ = sides
    from_profiles = _compare(reference, current, tmp_path / "profiles")

    with open_table(reference) as ref, open_table(current) as cur:
        in_memory = drift_calibrated.compare(ref, cur, SETTINGS, ["x", "y", "paid", "city"])

    assert from_profiles.drifted_columns == in_memory.drifted_columns == ["x"]
    for name, column in in_memory.columns.items():
        engine = from_profiles.columns[name]
        assert column.effect is not None and engine.effect is not None
        assert (engine.type, engine.effect.measure) == (column.type, column.effect.measure)
        # Layouts differ (DuckDB's approximate quantiles, numpy's exact ones): close values.
        assert engine.effect.value == pytest.approx(column.effect.value, abs=0.01)
