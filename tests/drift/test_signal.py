"""The drift signal through ``retrigger check``, and ``path@REV`` / ``path@trained`` inputs, on
a real git + DVC project with a real MLflow store (the demo project)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.demo import project
from retrigger.signals.context import SignalContext
from retrigger.signals.drift import DriftSignal
from retrigger.signals.registry import SIGNALS
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.drift.conftest import run_drift_json
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # git, dvc add, MLflow


@pytest.fixture
def drift_project(demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo project with ``signals.drift`` configured."""
    assert SIGNALS["drift"] is DriftSignal
    config_file = demo_project / "retrigger.yaml"
    config: dict[str, Any] = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["signals"]["drift"] = {"share": 0.3, "warn": 0.5}
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    return demo_project


def _drift_reading(root: Path) -> dict[str, Any]:
    result = run_cli("check", "--config", str(root / "retrigger.yaml"), "--json")
    assert result.code == 0, result.err
    signals: list[dict[str, Any]] = json.loads(result.out)["signals"]
    return next(s for s in signals if s["kind"] == "drift")


def test_unchanged_data_does_not_drift(drift_project: Path) -> None:
    reading = _drift_reading(drift_project)

    assert reading["fired"] is False
    assert reading["value"] == 0.0 and reading["threshold"] == 0.3
    # churn is validation.target: tested apart, not one of the columns counted.
    assert reading["detail"].startswith("0 of 5 columns drifted")


def test_new_data_version_that_drifts_fires_and_names_the_columns(drift_project: Path) -> None:
    project.degrade(drift_project)  # `dvc add` + commit of shifted production data

    reading = _drift_reading(drift_project)

    assert reading["fired"] is True
    assert reading["value"] >= 0.3
    assert "monthly_charges (wasserstein" in reading["detail"]
    assert "contract (jensenshannon" in reading["detail"]
    assert "tenure" not in reading["detail"]
    # The drift chart and report follow the announcement into the decision's thread.
    rows = sqlite_rows(
        drift_project / ".retrigger" / "state.db",
        "SELECT kind, thread_key, payload FROM outbox ORDER BY id",
    )
    assert [r[0] for r in rows] == ["trigger_fired", "file_upload", "file_upload"]
    assert rows[0][1] == rows[1][1] == rows[2][1]
    uploaded = [json.loads(str(r[2]))["path"] for r in rows[1:]]
    assert [Path(p).suffix for p in uploaded] == [".png", ".html"]


def test_reading_carries_per_column_results(drift_project: Path) -> None:
    project.degrade(drift_project)
    workspace = Workspace.load(drift_project / "retrigger.yaml")
    ctx = SignalContext(workspace.loaded, workspace.tracking, workspace.clock())

    reading = DriftSignal().read(ctx)

    columns = reading.extra["columns"]
    assert isinstance(columns, dict)
    assert set(columns) == {
        "tenure",
        "monthly_charges",
        "support_calls",
        "contract",
        "has_partner",
    }
    assert reading.extra["target"] is not None and "churn" in reading.extra["target"]  # type: ignore[operator]
    assert columns["monthly_charges"]["drift"] is True
    assert "monthly_charges" in reading.extra["drifted_columns"]  # type: ignore[operator]
    # degrade() appends 3000 rows to the trained 2000: only the new rows are compared.
    assert reading.extra["reference_rows"] == 2000 and reading.extra["current_rows"] == 3000
    assert reading.extra["current_rows_compared"] == "new"
    html = drift_project / str(reading.extra["report_html"])
    assert "monthly_charges" in html.read_text(encoding="utf-8")
    png = drift_project / str(reading.extra["report_png"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # posted in the Slack thread


def test_cli_reads_git_revisions_and_the_trained_version(
    drift_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.degrade(drift_project)
    monkeypatch.chdir(drift_project)
    config = str(drift_project / "retrigger.yaml")

    by_rev = run_drift_json("data/train.csv@HEAD~1", "data/train.csv")
    by_trained = run_drift_json("data/train.csv@trained", "data/train.csv@HEAD", "-c", config)
    same = run_drift_json("data/train.csv@HEAD~1", "data/train.csv@trained", "-c", config)

    assert by_rev["columns"] == by_trained["columns"]
    assert by_rev["reference_rows"] == 2000 and by_rev["current_rows"] == 5000
    assert by_rev["columns"]["monthly_charges"]["drift"] is True
    assert same["n_drifted"] == 0


def test_unknown_revision_is_bad_input(
    drift_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(drift_project)
    from tests.drift.conftest import run_drift

    result = run_drift("data/train.csv@no-such-rev", "data/train.csv")

    assert result.code == 2, result.err
    assert len(result.err.strip().splitlines()) == 1


def test_directory_versions_are_read_from_the_dvc_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    project.sh(root, "git", "init", "-q", "-b", "main")
    project.sh(root, "dvc", "init", "-q")
    parts = root / "data" / "parts"
    parts.mkdir(parents=True)
    for shift, message in ((0, "v1"), (5, "v2")):
        for name in ("a.csv", "b.csv"):
            rows = "".join(f"{i % 50 + shift + 0.5},{'xyz'[i % 3]}\n" for i in range(600))
            (parts / name).write_text("x,s\n" + rows, encoding="utf-8")
        project.sh(root, "dvc", "add", "-q", "data/parts")
        project.sh(root, "git", "add", "-A")
        project.sh(root, "git", "commit", "-q", "-m", message)

    document = run_drift_json("data/parts@HEAD~1", "data/parts@HEAD")

    assert document["reference_rows"] == document["current_rows"] == 1200
    assert document["columns"]["x"]["drift"] is True
    assert document["columns"]["s"]["drift"] is False
