"""The drift and volume signals on a DVC-tracked folder of hive-partitioned Parquet, read as
per-partition profiles (``signals.drift.engine: duckdb``), in the demo's real git + DVC + MLflow
project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from retrigger.commands.baseline import set_baseline
from retrigger.demo.project import sh
from retrigger.signals.base import Reading
from retrigger.signals.context import SignalContext
from retrigger.signals.drift import DriftSignal
from retrigger.signals.volume import VolumeSignal
from retrigger.workspace import Workspace

pytestmark = pytest.mark.slow  # git, dvc add, MLflow

EVENTS = "data/events"
ROWS = 3_000


def _write_day(root: Path, day: int, shift: float, rows: int = ROWS) -> Path:
    rng = np.random.default_rng(day)
    folder = root / EVENTS / f"date=2024-01-{day:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {
            "x": rng.normal(shift, 1.0, rows),
            "y": rng.normal(0.0, 1.0, rows),
            "city": rng.choice([f"c{i}" for i in range(8)], rows),
        }
    )
    pq.write_table(table, folder / "part-0.parquet")
    return folder / "part-0.parquet"


def _commit(root: Path, message: str) -> None:
    sh(root, "dvc", "add", "-q", EVENTS)
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", message)


def _configure(root: Path, drift: dict[str, Any]) -> None:
    config_file = root / "retrigger.yaml"
    config: dict[str, Any] = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["data"] = [{"path": EVENTS, "format": "parquet", "partitioning": "hive"}]
    config["signals"]["drift"] = drift
    config["signals"]["volume"] = {"min_new_rows": 1}
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")


@pytest.fixture
def events(demo_project: Path) -> Path:
    """Three daily partitions, DVC-tracked, recorded as the data the model was trained on."""
    for day in (1, 2, 3):
        _write_day(demo_project, day, 0.0)
    _commit(demo_project, "data: three days of events")
    _configure(demo_project, {"engine": "duckdb", "bins": 50, "share": 0.3})
    workspace = Workspace.load(demo_project / "retrigger.yaml")
    baseline = workspace.tracking.baseline()
    assert baseline is not None
    set_baseline(workspace, baseline.run_id, record_data=True)
    return demo_project


def _read(root: Path, signal: DriftSignal | VolumeSignal) -> Reading:
    workspace = Workspace.load(root / "retrigger.yaml")
    return signal.read(SignalContext(workspace.loaded, workspace.tracking, workspace.clock()))


def test_the_trained_partitions_compared_with_themselves_do_not_drift(events: Path) -> None:
    reading = _read(events, DriftSignal())

    assert not reading.unknown and reading.fired is False
    assert "duckdb: 3 partition(s) vs 3 trained" in reading.detail
    parts = reading.extra["partitions"]
    assert isinstance(parts, dict)
    names = ["date=2024-01-01", "date=2024-01-02", "date=2024-01-03"]
    assert parts[EVENTS]["reference"] == names and parts[EVENTS]["current"] == names
    assert (events / ".retrigger" / "profiles").is_dir()


def test_a_check_after_one_new_partition_reads_only_that_partition(events: Path) -> None:
    _read(events, DriftSignal())  # profiles the trained partitions once
    _write_day(events, 4, shift=3.0, rows=4 * ROWS)
    _commit(events, "data: a fourth day, shifted")
    # The old partitions are now unreadable, in the working tree and in the DVC cache: had
    # the check opened any of them, DuckDB would fail and the reading would be unknown.
    for day in (1, 2, 3):
        (events / EVENTS / f"date=2024-01-{day:02d}" / "part-0.parquet").write_bytes(b"gone")
    for obj in (events / ".dvc" / "cache").rglob("*"):
        if obj.is_file() and not obj.name.endswith(".dir") and obj.stat().st_size > 10_000:
            obj.chmod(0o644)
            obj.write_bytes(b"gone")

    reading = _read(events, DriftSignal())

    assert not reading.unknown, reading.detail
    assert reading.fired is True
    assert "x (wasserstein" in reading.detail
    parts = reading.extra["partitions"]
    assert isinstance(parts, dict)
    assert parts[EVENTS]["read"] == ["date=2024-01-04"]
    assert "4 partition(s) vs 3 trained (read 1" in reading.detail


def test_calibrated_mode_judges_the_cached_partition_profiles_by_effect_size(
    events: Path,
) -> None:
    _configure(events, {"engine": "duckdb", "bins": 50, "share": 0.3, "mode": "calibrated"})
    _read(events, DriftSignal())  # profiles the trained partitions once
    _write_day(events, 4, shift=3.0, rows=4 * ROWS)
    _commit(events, "data: a fourth day, shifted")

    reading = _read(events, DriftSignal())

    assert reading.fired is True, reading.detail
    # x: 3 days at 0 and one 4x larger day at 3 σ: shifted by 3 × 4/7 σ ≈ 1.7 (W1 / σ_ref).
    assert "x (shifted by 1." in reading.detail and "tolerance 0.10)" in reading.detail
    assert "wasserstein" not in reading.detail
    columns = reading.extra["columns"]
    assert isinstance(columns, dict)
    assert columns["y"]["effect"]["measure"] == "shift" and not columns["y"]["drift"]
    parts = reading.extra["partitions"]
    assert isinstance(parts, dict) and parts[EVENTS]["read"] == ["date=2024-01-04"]


def test_volume_names_the_new_partitions(events: Path) -> None:
    _write_day(events, 4, shift=0.0)
    _write_day(events, 5, shift=0.0, rows=500)
    _commit(events, "data: two more days")

    reading = _read(events, VolumeSignal())

    assert reading.fired is True and reading.value == ROWS + 500
    assert "+2 partitions (date=2024-01-04, date=2024-01-05)" in reading.detail


def test_a_partition_whose_type_changed_makes_the_reading_unknown_and_caches_nothing(
    events: Path,
) -> None:
    folder = events / EVENTS / "date=2024-01-04"
    folder.mkdir()
    pq.write_table(
        pa.table({"x": ["a"] * 10, "y": [1.0] * 10, "city": ["c1"] * 10}),
        folder / "part-0.parquet",
    )
    _commit(events, "data: a day whose x is text")

    reading = _read(events, DriftSignal())

    assert reading.unknown is True
    assert "date=2024-01-04: column 'x' is VARCHAR, the reference's is DOUBLE" in reading.detail
    cached = list((events / ".retrigger" / "profiles").rglob("*.json"))
    # The trained side's three partitions (profile and counts) and the layout; nothing of
    # the changed one.
    profiles = [p for p in cached if p.parent.name not in ("layouts", "counts")]
    counts = [p for p in cached if p.parent.name == "counts"]
    assert len(profiles) == 3 and len(counts) == 3


def test_the_backtest_replays_versions_from_the_cached_profiles(events: Path) -> None:
    from retrigger.backtest.datareads import DataReader
    from retrigger.config.models import DriftSignalConfig
    from retrigger.data.versions import out_version
    from retrigger.drift.profiled import compare_versions
    from retrigger.signals.drift import options_for

    trained = out_version(events, EVENTS).md5
    _read(events, DriftSignal())  # the check profiled the trained partitions
    _write_day(events, 4, shift=3.0, rows=4 * ROWS)
    _commit(events, "data: a fourth day, shifted")
    new = out_version(events, EVENTS).md5
    assert trained is not None and new is not None
    settings = DriftSignalConfig(engine="duckdb", bins=50, share=0.3)

    found = compare_versions(events, EVENTS, trained, new, settings, options_for(settings))

    assert found is not None and found.report is not None
    assert found.read == ("date=2024-01-04",)  # days 1-3 came from .retrigger/profiles
    assert "x" in found.report.drifted_columns
    with DataReader(events) as reader:  # the backtest's reader takes the same path
        report = reader._compare(((EVENTS, trained, new),), settings, None)
    assert not isinstance(report, str) and "x" in report.drifted_columns
