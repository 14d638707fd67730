"""`retrigger demo` end to end, as a user runs it: a subprocess on a fresh folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_demo_builds_a_project_and_the_trigger_fires(tmp_path: Path) -> None:
    target = tmp_path / "démo – ü"  # any path: DVC once could not store a non-ASCII remote
    result = subprocess.run(
        [sys.executable, "-m", "retrigger", "demo", str(target)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )

    assert result.returncode == 0, result.stderr
    # Loading the champion and the challenger draws no MLflow progress bar into the output.
    assert "Downloading artifacts" not in result.stdout + result.stderr
    assert "fire=False" in result.stdout  # unchanged data: no retrain
    assert "fire=True, triggers: performance" in result.stdout
    assert "→ promoted: promoted churn v1 to @champion" in result.stdout
    assert "→ rejected-by-validation (exit 1)" in result.stdout  # the gate: a refactor's twin
    assert "&& dvc checkout data/train.csv" in result.stdout  # explain: get the data back
    # What #ml-ops was told, from the outbox, on the console: fired, arrival, started, done.
    assert "10. What #ml-ops was told (6 messages" in result.stdout
    told = result.stdout.split("10. What #ml-ops was told", 1)[1]
    assert told.count("[#ml-ops]") == 6
    assert "succeeded" in told and "↳" in told  # retrain news in the decision's thread
    assert (target / "dvc.lock").exists() and (target / ".retrigger" / "state.db").exists()
    log = subprocess.run(
        ["git", "log", "--oneline"], cwd=target, capture_output=True, text=True, check=True
    ).stdout
    assert "new production rows" in log
    # What serving code does: the promoted champion is a real MLflow model.
    import mlflow
    import pandas as pd

    mlflow.set_tracking_uri(f"sqlite:///{target / 'mlflow.db'}")
    champion = mlflow.pyfunc.load_model("models:/churn@champion")
    holdout = pd.read_csv(target / "holdout.csv")
    assert len(champion.predict(holdout.drop(columns=["churn"]))) == len(holdout)


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")

    result = subprocess.run(
        [sys.executable, "-m", "retrigger", "demo", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
