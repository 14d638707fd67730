"""retrigger in its own environment, the pipeline in the project's: the stages' `python` is the
project's virtualenv (its `.venv`, or `pipeline.python`), which holds a package retrigger's
environment lacks; a model that needs that package to load says so, naming where it is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from tests.pipeline.test_real_projects import retrain
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.project_env import project_venv

pytestmark = pytest.mark.slow

TRAIN = """\
import pickle
import sys
import pandas as pd
import yaml
from projlib import ProjectModel, strength
from sklearn.linear_model import LogisticRegression

params = yaml.safe_load(open("params.yaml"))
print("trained with", sys.executable)
frame = pd.read_csv("data/prepared/train.csv")
labels = frame.pop("label")
kind = ProjectModel if params.get("own_class") else LogisticRegression
model = kind(C=strength(params["C"]), max_iter=300).fit(frame, labels)
with open("model.pkl", "wb") as handle:
    pickle.dump(model, handle)
"""


def uses_projlib(root: Path, own_class: bool = False) -> None:
    """The team's train stage now imports its own package (installed in its venv only)."""
    (root / "train.py").write_text(TRAIN)
    params = yaml.safe_load((root / "params.yaml").read_text())
    (root / "params.yaml").write_text(yaml.safe_dump({**params, "C": 1.0, "own_class": own_class}))
    with (root / ".gitignore").open("a") as handle:
        handle.write(".venv/\nproject-env/\n")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "train with projlib")


def set_pipeline(root: Path, **keys: object) -> None:
    path = root / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["pipeline"] = {**config.get("pipeline", {}), **keys}
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def test_the_stages_run_in_the_repositorys_venv_not_retriggers(stack: Path, tmp_path: Path) -> None:
    python = project_venv(stack / ".venv", tmp_path / "wheels")
    uses_projlib(stack)

    code, outcome, err = retrain(stack)

    assert code == 0, err  # before: ModuleNotFoundError: No module named 'projlib'
    assert outcome["status"] == "promoted"
    assert f"trained with {python}" in err  # the stage's output, streamed


def test_pipeline_python_names_a_venv_outside_the_repository(stack: Path, tmp_path: Path) -> None:
    python = project_venv(tmp_path / "envs" / "stack", tmp_path / "wheels")
    uses_projlib(stack)
    set_pipeline(stack, python=str(python))
    sh(stack, "git", "commit", "-q", "-am", "pipeline.python")

    plan = run_cli("run", "--config", str(stack / "retrigger.yaml"), "--dry-run")
    code, outcome, err = retrain(stack)

    assert plan.code == 0, plan.err
    assert f"stages run with python: {python} (pipeline.python" in plan.out
    assert code == 0, err
    assert outcome["status"] == "promoted"
    assert f"trained with {python}" in err


def test_a_model_needing_a_module_retrigger_lacks_names_it_and_where(
    stack: Path, tmp_path: Path
) -> None:
    project_venv(stack / ".venv", tmp_path / "wheels")
    uses_projlib(stack, own_class=True)

    code, outcome, _ = retrain(stack)

    assert code == 1
    message = outcome["message"]
    assert "module 'projlib' is not installed in retrigger's environment" in message
    assert sys.executable in message and "--with" in message


@pytest.mark.parametrize("broken", ["missing", "no-dvc"])
def test_a_pipeline_python_that_cannot_run_the_stages_is_exit_2(
    stack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    python = tmp_path / "nowhere" / "bin" / "python"
    if broken == "no-dvc":
        python = project_venv(tmp_path / "envs" / "stack", tmp_path / "wheels")
        monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no dvc on the user's PATH either
    set_pipeline(stack, python=str(python))

    result = run_cli("config", "validate", "--config", str(stack / "retrigger.yaml"))

    assert result.code == 2
    assert "invalid config key 'pipeline.python'" in result.err
    assert ("does not exist" if broken == "missing" else "no dvc in") in result.err
    assert "Traceback" not in result.err
