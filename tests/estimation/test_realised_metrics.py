"""When the labels arrive through the project's own evaluate stage (``source: metrics``): the
metrics file names no rows, so it is set beside an estimate only when dvc.lock proves the stage
read the very file that was estimated (real DVC: ``dvc repro`` writes the lock)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from sklearn.linear_model import LogisticRegression

from tests.estimation.checks import champion, check, configure
from tests.estimation.synthetic import world
from tests.models.conftest import Small
from tests.support.cli import run_cli

EVALUATE = """\
import json, pickle, pandas as pd
model = pickle.load(open("model.pkl", "rb"))
rows, labels = pd.read_csv("shifted.csv"), pd.read_csv("labels.csv")["label"]
json.dump({"accuracy": float((model.predict(rows) == labels).mean())}, open("metrics.json", "w"))
"""


def _evaluate_stage(root: Path, model: Any, labels: Any) -> None:
    """The labels arrive; the project's stage scores the model on the estimated file."""
    labels.to_frame().to_csv(root / "labels.csv", index=False)
    (root / "model.pkl").write_bytes(pickle.dumps(model))
    (root / "evaluate.py").write_text(EVALUATE)
    stage = {
        "cmd": f"{sys.executable} evaluate.py",
        "deps": ["evaluate.py", "shifted.csv", "labels.csv", "model.pkl"],
        "metrics": [{"metrics.json": {"cache": False}}],
    }
    (root / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"evaluate": stage}}))
    dvc = str(Path(sys.executable).parent / "dvc")
    for args in (["init", "-q", "--no-scm"], ["repro", "-q"]):
        done = subprocess.run([dvc, *args], cwd=root, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def _metrics_source(project: Small) -> None:
    document = yaml.safe_load(project.config.read_text())
    document["model"]["metrics_file"] = "metrics.json"
    document["signals"]["performance"] = {"min": 0.78}  # source: metrics
    del document["estimation"]
    project.config.write_text(yaml.safe_dump(document))


def test_a_metrics_file_the_stage_computed_from_the_estimated_file_is_compared(
    project: Small, tmp_path: Path
) -> None:
    configure(project, "shifted.csv", {"min": 0.78})
    model = LogisticRegression().fit(*world(seed=0)["train"])
    champion(project, model, tmp_path)
    estimated = json.loads(run_cli("check", "-c", str(project.config), "--json").out)
    estimate = estimated["signals"][0]["estimate"]
    features, labels = world(seed=0)["covariate"]
    _evaluate_stage(project.root, model, labels)
    _metrics_source(project)

    reading = check(project)

    realised = float((model.predict(features) == labels).mean())
    compared = reading["estimated"]
    assert reading["value"] == realised and compared["decision_id"] == estimated["decision_id"]
    assert compared["error"] == realised - estimate["value"]
    assert compared["inside"] is (estimate["low"] <= realised <= estimate["high"])
    assert "shifted.csv (md5 " in reading["detail"]
    assert "which stage evaluate read to write metrics.json" in reading["detail"]
    (project.root / "metrics.json").write_text('{"accuracy": 0.99}')  # edited by hand since
    edited = check(project)
    assert "is not what stage evaluate wrote" in edited["estimated"]["unknown"]


def test_a_metrics_file_not_proven_to_hold_those_rows_is_not_compared_and_says_why(
    project: Small, tmp_path: Path
) -> None:
    configure(project, "shifted.csv", {"min": 0.78})
    model = LogisticRegression().fit(*world(seed=0)["train"])
    champion(project, model, tmp_path)
    assert run_cli("check", "-c", str(project.config), "--json").code == 0
    _metrics_source(project)
    (project.root / "metrics.json").write_text('{"accuracy": 0.8}')  # no stage wrote it

    unproven = check(project)

    assert unproven["value"] == 0.8 and "decision_id" not in unproven["estimated"]
    assert "no dvc.lock" in unproven["estimated"]["unknown"]
    assert "not compared with the earlier estimate: there is no dvc.lock" in unproven["detail"]
