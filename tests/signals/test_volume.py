"""The volume signal on the real demo project: rows since the baseline run's data version."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrigger.config import load_config
from retrigger.config.models import VolumeSignalConfig
from retrigger.data.delta import DeltaReport, PathDelta, Side
from retrigger.data.versions import out_version
from retrigger.demo import project
from retrigger.signals.context import SignalContext
from retrigger.signals.volume import VolumeSignal, judge
from retrigger.workspace import Workspace


def _read(root: Path, volume: str) -> tuple[bool, float | None, str]:
    config = root / "retrigger.yaml"
    text = config.read_text().replace(
        "  schedule: {max_age: 30d}\n", f"  schedule: {{max_age: 30d}}\n  volume: {volume}\n"
    )
    config.write_text(text)
    workspace = Workspace(load_config(config, environ={}))
    ctx = SignalContext(workspace.loaded, workspace.tracking, datetime.now(tz=UTC))
    reading = VolumeSignal().read(ctx)
    return reading.fired, reading.value, reading.detail


def test_unchanged_data_reads_zero_new_rows(demo_project: Path) -> None:
    fired, value, detail = _read(demo_project, "{min_new_rows: 1}")

    assert (fired, value) == (False, 0.0)
    assert "+0 rows since the trained data" in detail


@pytest.mark.parametrize(
    ("volume", "fired", "why"),
    [
        ("{min_new_rows: 3000}", True, ">= min_new_rows 3000"),
        ("{min_new_rows: 3001}", False, "below min_new_rows 3001"),
        ("{min_new_rows: 100000, min_growth: 1.5}", True, "growth 150.0% >= min_growth 150%"),
        ("{min_growth: 1.51}", False, "below min_growth 151%"),
    ],
)
def test_new_rows_and_growth_against_the_baselines_data(
    demo_project: Path, volume: str, fired: bool, why: str
) -> None:
    project.degrade(demo_project)  # 2000 rows → 5000 rows, committed with dvc add

    result = _read(demo_project, volume)

    assert result[:2] == (fired, float(project.NEW_ROWS))
    assert why in result[2]


def test_trained_version_missing_from_cache_is_unknown_and_never_fires(demo_project: Path) -> None:
    md5 = out_version(demo_project, project.DATA_PATH).md5
    assert md5 is not None
    project.degrade(demo_project)
    (demo_project / ".dvc/cache/files/md5" / md5[:2] / md5[2:]).unlink()

    fired, value, detail = _read(demo_project, "{min_new_rows: 1}")

    assert (fired, value) == (False, None)
    assert "rows unknown for data/train.csv" in detail and "no DVC remote is set" in detail


def test_judge_counts_only_known_paths_and_names_unknown_ones() -> None:
    known = PathDelta("a.csv", Side("m1", 10, 1, 100), Side("m2", 20, 1, 250), 0, 0, 1)
    unknown = PathDelta("b.csv", Side("m3", 10, 1, None), Side("m4", 20, 1, 9), 0, 0, 1)
    report = DeltaReport("old", "new", [known, unknown])

    reading = judge(report, VolumeSignalConfig(min_new_rows=150), 150.0)

    assert reading.fired and reading.value == 150.0
    assert "rows unknown for b.csv" in reading.detail


def test_a_path_the_model_never_saw_counts_as_all_new_rows() -> None:
    never_seen = PathDelta("new.csv", Side(), Side("m9", 20, 1, 40), 1, 0, 0)
    report = DeltaReport(None, "new", [never_seen])

    reading = judge(report, VolumeSignalConfig(min_new_rows=40), 40.0)

    assert reading.fired and reading.value == 40.0
