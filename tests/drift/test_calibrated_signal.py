"""``drift.mode: calibrated`` and ``drift.persist`` through real ``retrigger check`` runs on the
demo project (real git, DVC and MLflow; the decisions stored in the real state store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.demo import project
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow  # git, dvc add, MLflow


def _configure(root: Path, drift: dict[str, Any]) -> None:
    config_file = root / "retrigger.yaml"
    config: dict[str, Any] = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["signals"]["drift"] = drift
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")


def _drift_reading(root: Path) -> dict[str, Any]:
    result = run_cli("check", "--config", str(root / "retrigger.yaml"), "--json")
    assert result.code == 0, result.err
    signals: list[dict[str, Any]] = json.loads(result.out)["signals"]
    return next(s for s in signals if s["kind"] == "drift")


def test_calibrated_mode_reads_each_column_as_an_effect_with_its_interval(
    demo_project: Path,
) -> None:
    _configure(demo_project, {"share": 0.3, "mode": "calibrated"})
    assert _drift_reading(demo_project)["fired"] is False  # the trained data against itself

    project.degrade(demo_project)
    reading = _drift_reading(demo_project)

    assert reading["fired"] is True
    # degrade() appends 3000 rows shifted by 30 (σ 20): only the new rows are compared
    # (signals.drift.current: auto), e.g. "monthly_charges (shifted by 1.56 (1.49–1.64), ...".
    assert "monthly_charges (shifted by 1." in reading["detail"]
    assert "churn" not in reading["detail"].split(":", 1)[1].split(";")[0]  # the label: apart
    assert "tolerance 0.10)" in reading["detail"]
    assert "wasserstein" not in reading["detail"]


def test_persist_two_of_three_fires_on_the_second_check_that_sees_drift(
    demo_project: Path,
) -> None:
    drift = {"share": 0.3, "mode": "calibrated", "persist": "2/3", "sequential": True}
    _configure(demo_project, drift)
    first = _drift_reading(demo_project)  # no drift yet: stored as a held verdict "no"
    project.degrade(demo_project)

    second = _drift_reading(demo_project)
    third = _drift_reading(demo_project)

    assert first["fired"] is False
    assert second["fired"] is False
    assert "drift held in 1 of the last 2 checks (persist 2/3)" in second["detail"]
    assert third["fired"] is True
    assert "drift held in 2 of the last 3 checks (persist 2/3)" in third["detail"]
    # The sequential bets are carried from decision to decision in the state store: halved
    # by the check without drift, then growing on the drifted column (5 columns, the label
    # apart: alarm at 100).
    stored = sqlite_rows(
        demo_project / ".retrigger" / "state.db", "SELECT signals FROM decisions ORDER BY rowid"
    )
    wealth = [
        next(s for s in json.loads(str(r[0])) if s["kind"] == "drift")["extra"]["sequential_wealth"]
        for r in stored
    ]
    assert wealth[0]["tenure"] == 0.5
    assert wealth[0]["monthly_charges"] < 1 < wealth[1]["monthly_charges"]
    assert wealth[1]["monthly_charges"] < wealth[2]["monthly_charges"] < 100
    assert "sequential: no column's wealth reached 100" in third["detail"]


def test_a_persist_that_is_not_k_of_m_is_a_config_error(demo_project: Path) -> None:
    _configure(demo_project, {"mode": "calibrated", "persist": "3/2"})

    result = run_cli("check", "--config", str(demo_project / "retrigger.yaml"))

    assert result.code == 2
    assert "persist" in result.err and "Traceback" not in result.err
