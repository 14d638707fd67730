"""Projects shaped like the ones people bring to `retrigger init` (files only, no training).

- ``get_started``: DVC's example-get-started: prepare → featurize → train → evaluate, a
  top-level ``metrics:`` entry whose file nests the numbers per split, the model declared under
  ``artifacts:`` with ``type: model``, the requirements in ``src/``.
- ``wine``: the DVC + MLflow wine-quality course: params.yaml names the MLflow server, the
  experiment and the registered model; no metrics file (the metrics go to MLflow).

Each is built once per session (git and DVC commands, ≈1 s) and copied per test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

_BIN = Path(sys.executable).parent

GET_STARTED_DVC_YAML = """\
artifacts:
  stackoverflow-dataset:
    path: data/data.xml
    type: dataset
  text-classification:
    path: model.pkl
    type: model
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps: [data/data.xml, src/prepare.py]
    params: [prepare.seed, prepare.split]
    outs: [data/prepared]
  featurize:
    cmd: python src/featurization.py data/prepared data/features
    deps: [data/prepared, src/featurization.py]
    outs: [data/features]
  train:
    cmd: python src/train.py data/features model.pkl
    deps: [data/features, src/train.py]
    outs: [model.pkl]
  evaluate:
    cmd: python src/evaluate.py model.pkl data/features
    deps: [data/features, model.pkl, src/evaluate.py]
    outs: [eval]
metrics:
- eval/metrics.json
plots:
- eval/plots/images/importance.png
"""

WINE_DVC_YAML = """\
stages:
  load_data:
    cmd: python src/load_data.py --config=params.yaml
    deps: [src/get_data.py, src/load_data.py, data_given/winequality.csv]
    outs: [data/raw/winequality.csv]
  split_data:
    cmd: python src/split_data.py --config=params.yaml
    deps: [src/split_data.py, data/raw/winequality.csv]
    outs: [data/processed/train_winequality.csv, data/processed/test_winequality.csv]
  train_and_evaluate:
    cmd: python src/train_and_evaluate.py --config=params.yaml
    deps: [data/processed/train_winequality.csv, data/processed/test_winequality.csv,
           src/train_and_evaluate.py]
    params: [estimators.ElasticNet.params.alpha, estimators.ElasticNet.params.l1_ratio]
    outs: [saved_models/model.joblib]
"""

WINE_PARAMS = """\
base:
  project: winequality-project
  random_state: 42
  target_col: TARGET
estimators:
  ElasticNet:
    params: {alpha: 0.3, l1_ratio: 0.3}
model_dir: saved_models
mlflow_config:
  artifacts_dir: artifacts
  experiment_name: ElasticNet Regression
  run_name: mlops
  registered_model_name: ElasticNetWineModel
  remote_server_uri: http://127.0.0.1:1234
"""


def sh(root: Path, *args: str) -> str:
    return subprocess.run(args, cwd=root, check=True, capture_output=True, text=True).stdout


def _start(root: Path) -> None:
    root.mkdir(parents=True)
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "git", "config", "user.email", "dev@example.com")
    sh(root, "git", "config", "user.name", "Dev")
    sh(root, str(_BIN / "dvc"), "init", "-q")


def _track(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")
    sh(root, str(_BIN / "dvc"), "add", "-q", path)


def get_started(root: Path) -> Path:
    _start(root)
    _track(root, "data/data.xml", "<posts><row Id='1' Body='r'/></posts>\n")
    (root / "dvc.yaml").write_text(GET_STARTED_DVC_YAML, encoding="utf-8")
    (root / "params.yaml").write_text("prepare: {split: 0.2, seed: 20170428}\n")
    (root / "src").mkdir()
    (root / "src" / "requirements.txt").write_text("dvclive>=3.0\nscikit-learn>=1.3\n")
    (root / ".gitignore").write_text(".venv/\n/model.pkl\n/eval\n")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "get started")
    # What `dvc repro` (or `dvc pull eval`) leaves in the workspace: not committed.
    (root / "eval").mkdir()
    (root / "eval" / "metrics.json").write_text(
        json.dumps(
            {"avg_prec": {"train": 0.97, "test": 0.94}, "roc_auc": {"train": 0.98, "test": 0.96}}
        )
    )
    return root


def wine(root: Path) -> Path:
    _start(root)
    _track(root, "data_given/winequality.csv", "fixed acidity,quality\n7.4,5\n7.8,5\n")
    (root / "dvc.yaml").write_text(WINE_DVC_YAML, encoding="utf-8")
    (root / "params.yaml").write_text(WINE_PARAMS, encoding="utf-8")
    (root / "requirements.txt").write_text("dvc\nmlflow\nscikit-learn\n")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "wine")
    return root


@pytest.fixture(scope="session")
def get_started_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return get_started(tmp_path_factory.mktemp("brought") / "example-get-started")


@pytest.fixture(scope="session")
def wine_course_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wine(tmp_path_factory.mktemp("brought") / "wine")


def copy(template: Path, folder: Path) -> Path:
    """A private copy, under the template's own name (`init` names the model after it)."""
    return Path(shutil.copytree(template, folder / template.name, symlinks=True))
