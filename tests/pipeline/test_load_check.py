"""A champion that loads anywhere: the pickled sklearn Pipeline holds an object of the team's own
package (``boxlike``, shaped like python-box's BoxList), installed in the project's venv only.

retrigger derives the logged model's pip requirements from the pickle's imports, and with
``validation.load_check: isolated`` proves the model loads and predicts in a fresh uv venv
built from those requirements alone — refused, naming the module, when it does not.

Offline: uv installs from this machine's cache (the versions this test environment runs,
as constraints), boxlike from a wheel built here.
"""

from __future__ import annotations

import os
import pwd
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from retrigger.proc import run
from tests.pipeline.test_project_env import set_pipeline
from tests.pipeline.test_real_projects import retrain, versions
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.project_env import UV, build_wheel

pytestmark = pytest.mark.slow

BOXLIKE = """\
from sklearn.base import BaseEstimator, TransformerMixin


class BoxList(list):
    \"\"\"Settings as a list subclass, like python-box's BoxList.\"\"\"


class Weights(BaseEstimator, TransformerMixin):
    def __init__(self, factors=None):
        self.factors = factors

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X * float(self.factors[0])
"""

TRAIN = """\
import pickle
import pandas as pd
import yaml
from boxlike import BoxList, Weights
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

params = yaml.safe_load(open("params.yaml"))
frame = pd.read_csv("data/prepared/train.csv")
labels = frame.pop("label")
steps = [("weights", Weights(BoxList([1.0]))), ("clf", LogisticRegression(C=params["C"]))]
model = Pipeline(steps).fit(frame, labels)
with open("model.pkl", "wb") as handle:
    pickle.dump(model, handle)
"""


@pytest.fixture
def uv_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uv reads wheels from this machine's cache only, at the versions the tests run with."""
    frozen = run([UV, "pip", "freeze", "--python", sys.executable], tmp_path).stdout
    pins = [line for line in frozen.splitlines() if "==" in line and not line.startswith("-")]
    (tmp_path / "constraints.txt").write_text("\n".join(pins) + "\n")
    monkeypatch.setenv("UV_CONSTRAINT", str(tmp_path / "constraints.txt"))
    monkeypatch.setenv("UV_OFFLINE", "1")
    # The user's own home: under xdist, a worker's HOME is the sandbox the controller set.
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    monkeypatch.setenv("UV_CACHE_DIR", os.environ.get("UV_CACHE_DIR") or str(home / ".cache/uv"))
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")


def boxlike_project(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str = "listed"
) -> Path:
    """The project trains with boxlike: a wheel installed in its venv, which its
    requirements.txt names by path (``listed``) or by name only (``unlisted``); or (``source``)
    a folder on the venv's path that no distribution provides. retrigger's own process sees
    boxlike's source (it re-saves the pickle as an MLflow model and scores it)."""
    source = tmp_path / "boxlike-src"
    (source / "boxlike").mkdir(parents=True)
    (source / "boxlike" / "__init__.py").write_text(BOXLIKE)
    monkeypatch.syspath_prepend(str(source))
    wheel = build_wheel(root / "wheels", BOXLIKE, name="boxlike")
    venv = tmp_path / "envs" / "project"
    sh(tmp_path, UV, "venv", "-q", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    paths = [sysconfig.get_paths()["purelib"]] + ([str(source)] if how == "source" else [])
    (site / "site-packages" / "retrigger_stack.pth").write_text("\n".join(paths) + "\n")
    if how != "source":
        install = [UV, "pip", "install", "-q", "--no-index", "--python", str(python)]
        sh(tmp_path, *install, str(wheel))
    own = {"listed": f"wheels/{wheel.name}", "unlisted": "boxlike", "source": ""}[how]
    lines = ["pandas", "scikit-learn>=1.4", own]
    (root / "requirements.txt").write_text("\n".join(lines) + "\n")
    (root / "train.py").write_text(TRAIN)
    set_pipeline(root, python=str(python))
    config = yaml.safe_load((root / "retrigger.yaml").read_text())
    config["validation"]["load_check"] = "isolated"
    (root / "retrigger.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "train with boxlike")
    return python


def logged_requirements(root: Path, run_id: str) -> list[str]:
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    local = mlflow.artifacts.download_artifacts(f"runs:/{run_id}/model/requirements.txt")
    return Path(local).read_text().split()


def test_the_pickles_own_package_is_a_requirement_and_the_model_loads_in_a_clean_env(
    stack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uv_offline: None
) -> None:
    boxlike_project(stack, tmp_path, monkeypatch)

    plan = run_cli("run", "--config", str(stack / "retrigger.yaml"), "--dry-run")
    code, outcome, err = retrain(stack)

    assert "isolated (validation.load_check)" in plan.out
    assert code == 0, err
    assert outcome["status"] == "promoted", outcome["message"]
    wheel = (stack / "wheels" / "boxlike-0.1-py3-none-any.whl").resolve()
    assert "requirements derived from the imports of model.pkl" in err
    assert f"boxlike @ {wheel.as_uri()} (module boxlike, requirements.txt)" in err
    requirements = logged_requirements(stack, outcome["run_id"])
    assert f"{wheel.as_uri()}" in requirements  # before: mlflow, scikit-learn, cloudpickle only
    assert any(line.startswith("numpy==") for line in requirements)
    load = next(step for step in outcome["steps"] if step["name"] == "load")
    assert "the model loads in a clean environment built from its" in load["detail"]
    assert "predicted 5 rows" in load["detail"]


def test_a_package_no_index_has_is_refused_naming_the_module(
    stack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uv_offline: None
) -> None:
    boxlike_project(stack, tmp_path, monkeypatch, how="unlisted")

    code, outcome, err = retrain(stack)
    explained = run_cli(
        "explain", outcome.get("decision_id", ""), "--config", str(stack / "retrigger.yaml")
    )

    assert code == 1, err
    assert outcome["status"] == "rejected-by-validation"
    message = outcome["message"]
    assert "do not install in a clean environment (needed by module 'boxlike'" in message
    assert "boxlike==0.1" in err  # the derived pin, said in the run's output
    assert "module 'boxlike'" in explained.out, explained.out
    assert not versions(stack, "stack")  # nothing registered, no alias moved


def test_a_module_no_distribution_provides_is_refused_as_no_module_named(
    stack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uv_offline: None
) -> None:
    boxlike_project(stack, tmp_path, monkeypatch, how="source")

    code, outcome, err = retrain(stack)

    assert code == 1, err
    assert outcome["status"] == "rejected-by-validation"
    assert "no installed distribution provides boxlike" in err
    message = outcome["message"]
    assert "does not load in a clean environment built from its" in message
    assert "No module named 'boxlike'" in message


def test_in_ci_a_model_the_pipeline_registered_is_proven_from_its_own_requirements(
    wine: Path, monkeypatch: pytest.MonkeyPatch, uv_offline: None
) -> None:
    monkeypatch.setenv("CI", "true")  # validation.load_check unset: on, as in any CI job

    code, outcome, err = retrain(wine)

    assert code == 0, err
    assert outcome["status"] == "promoted", outcome["message"]
    load = next(step for step in outcome["steps"] if step["name"] == "load")
    assert "loads in a clean environment built from its" in load["detail"]
    assert "predicted 5 rows" in load["detail"]
