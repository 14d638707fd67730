"""A DVC + MLflow course project whose MLflow registry already serves the model, the shape
`retrigger init` meets most: the training script logs and registers the model itself
(``mlflow.sklearn.log_model(..., registered_model_name=...)``), the metrics live only in MLflow,
an app loads the version in the legacy "Production" stage or under ``@production``, and
nothing in params.yaml or dvc.yaml names the model.

The registry is a real MLflow sqlite store (``mlflow.db``), filled by a real ``log_model`` of a
real scikit-learn model in a subprocess (MLflow's fluent API keeps process-wide state). Built
once per session and copied per test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.brought import _start, _track, sh

NAME = "churn-clf"

DVC_YAML = """\
stages:
  prepare:
    cmd: python src/prepare.py
    deps: [src/prepare.py, data/churn.csv]
    outs: [data/prepared.csv]
  train:
    cmd: python src/train.py
    deps: [src/train.py, data/prepared.csv]
"""

TRAIN = """\
import mlflow
from sklearn.linear_model import LogisticRegression

with mlflow.start_run(run_name="train"):
    model = LogisticRegression().fit([[0], [1]], [0, 1])
    mlflow.log_metric("f1", 0.585)
    mlflow.sklearn.log_model(model, name="model", registered_model_name="churn-clf")
"""

# What the training script above leaves in MLflow, twice (v1 then v2), written directly.
FILL = f"""
import warnings
import mlflow
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

mlflow.set_tracking_uri("sqlite:///mlflow.db")
mlflow.set_experiment("churn")
for f1 in (0.61, 0.585):
    with mlflow.start_run(run_name="train"):
        model = LogisticRegression().fit([[0], [1]], [0, 1])
        mlflow.log_metrics({{"f1": f1, "precision": 0.7, "recall_score": 0.5}})
        mlflow.sklearn.log_model(
            model, name="model", registered_model_name="{NAME}", pip_requirements=[]
        )
client = MlflowClient()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    client.transition_model_version_stage("{NAME}", "1", "Production")
"""


def build(root: Path) -> Path:
    _start(root)
    _track(root, "data/churn.csv", "tenure,churn\n1,0\n2,1\n")
    (root / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    (root / "params.yaml").write_text(
        "mlflow:\n  tracking_uri: sqlite:///mlflow.db\n  experiment_name: churn\n",
        encoding="utf-8",
    )
    (root / "src").mkdir()
    (root / "src" / "train.py").write_text(TRAIN, encoding="utf-8")
    (root / "src" / "prepare.py").write_text("print('prepare')\n", encoding="utf-8")
    (root / "requirements.txt").write_text("mlflow\nscikit-learn\n", encoding="utf-8")
    (root / ".gitignore").write_text("/mlflow.db\n/mlruns\n/mlartifacts\n", encoding="utf-8")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "churn course")
    # Run as alice's train.py from outside the project (the registry records both).
    script = root.parent / "train.py"
    script.write_text(textwrap.dedent(FILL), encoding="utf-8")
    subprocess.run(
        [sys.executable, str(script)],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "HOME": str(root.parent),
            "USER": "alice",
            "LOGNAME": "alice",
        },
    )
    return root


@pytest.fixture(scope="session")
def registry_project_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("served") / "course")


def copy(template: Path, folder: Path) -> Path:
    return Path(shutil.copytree(template, folder / template.name, symlinks=True))
