"""`retrigger demo` end to end, as a user runs it: a subprocess on a fresh folder."""

from __future__ import annotations

import json
import os
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
        env=not_activated(),  # `./dev demo` runs .venv/bin/retrigger, its venv not on PATH
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
    closing_commands_work_as_printed(result.stdout)
    log = subprocess.run(
        ["git", "log", "--oneline"], cwd=target, capture_output=True, text=True, check=True
    ).stdout
    assert "new production rows" in log
    replays_what_happened(target)
    # What serving code does: the promoted champion is a real MLflow model.
    import mlflow
    import pandas as pd

    mlflow.set_tracking_uri(f"sqlite:///{target / 'mlflow.db'}")
    champion = mlflow.pyfunc.load_model("models:/churn@champion")
    holdout = pd.read_csv(target / "holdout.csv")
    assert len(champion.predict(holdout.drop(columns=["churn"]))) == len(holdout)


def replays_what_happened(root: Path) -> None:
    """The demo commits its monitoring metrics: ``retrigger backtest`` on its history fires
    where the real check fired (the monitored drop), beside the demo's two real retrains."""
    result = subprocess.run(
        [sys.executable, "-m", "retrigger", "backtest", "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    fired = [point for point in document["points"] if point["fire"]]
    assert [p["subject"] for p in fired][:1] == [
        "monitoring: the model in use on the newest data"
    ], document["points"]
    assert fired[0]["trigger_types"] == ["performance"]
    assert len(document["real_retrains"]) == 2


def not_activated() -> dict[str, str]:
    here = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != here)
    return {**os.environ, "PATH": path}


def closing_commands_work_as_printed(stdout: str) -> None:
    """Each "Where to look next" line, pasted into a shell whose PATH lacks retrigger's venv,
    runs (``mlflow ui`` starts a server: only found, not started)."""
    lines = [line.strip() for line in stdout.split("Where to look next:", 1)[1].splitlines()]
    script = ["set -e"]
    for line in filter(None, lines):
        command = line.split("   #")[0].split("  #")[0].strip()
        script.append(f"command -v {command.split()[0]}" if " ui " in command else command)
    assert any(" explain d-" in line for line in script), script  # the real decision id
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=not_activated(),
    )
    assert done.returncode == 0, (script, done.stdout[-2000:], done.stderr[-2000:])


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
