"""Two project shapes like the public ones retrigger is tried on, small enough for tests.

- ``wine``: like the DVC + MLflow wine-quality course — one stage whose script sets its own
  tracking URI and experiment, logs params and metrics, and logs *and registers* its own sklearn
  model; it writes no metrics file and no model file (``model.artifact: null``).
- ``stack``: like iterative/example-get-started — prepare → train → evaluate, nested metrics in
  ``eval/metrics.json`` (``roc_auc.test``), a pickled model declared under dvc.yaml
  ``artifacts:``, and no MLflow at all (``model.flavor: sklearn``).

Both are built once per session (the wine one has already run once, so its registry holds the
team's version 1) and copied per test. Models are tiny; every ``log_model`` passes
``pip_requirements`` so MLflow never infers them (2–7 s).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from tests.support.dvcrepo import sh

WINE_TRAIN = """\
import mlflow
import mlflow.sklearn
import pandas as pd
import sklearn
import yaml
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error

alpha = yaml.safe_load(open("params.yaml"))["alpha"]
frame = pd.read_csv("data/wine.csv")
cut = int(len(frame) * 0.75)
train, test = frame[:cut], frame[cut:]
features = [c for c in frame.columns if c != "quality"]
model = ElasticNet(alpha=alpha, l1_ratio=0.5, random_state=42)
model.fit(train[features], train["quality"])
mae = mean_absolute_error(test["quality"], model.predict(test[features]))
mlflow.set_tracking_uri("sqlite:///mlflow.db")
mlflow.set_experiment("wine")
with mlflow.start_run():
    mlflow.log_param("alpha", alpha)
    mlflow.log_metric("mae", mae)
    mlflow.sklearn.log_model(model, name="model", registered_model_name="wine",
                             pip_requirements=[f"scikit-learn=={sklearn.__version__}"])
print(f"alpha={alpha} mae={mae:.4f}")
"""

WINE_DVC = {
    "stages": {
        "train": {
            "cmd": "python train.py",
            "deps": ["data/wine.csv", "train.py"],
            "params": ["alpha"],
        }
    }
}

WINE_CONFIG = {
    "model": {
        "name": "wine",
        "metric": "mae",
        "greater_is_better": False,
        "metrics_file": None,
        "artifact": None,
    },
    "tracking": {"uri": "sqlite:///mlflow.db", "experiment": "wine"},
    "data": ["data/wine.csv"],
    "validation": {"data": "data/validation.csv", "target": "quality"},
    "pipeline": {"push": False},
}

STACK_PREPARE = """\
from pathlib import Path
import pandas as pd

frame = pd.read_csv("data/data.csv")
cut = int(len(frame) * 0.7)
Path("data/prepared").mkdir(parents=True, exist_ok=True)
frame[:cut].to_csv("data/prepared/train.csv", index=False)
frame[cut:].to_csv("data/prepared/test.csv", index=False)
"""

STACK_TRAIN = """\
import pickle
import pandas as pd
import yaml
from sklearn.linear_model import LogisticRegression

params = yaml.safe_load(open("params.yaml"))
frame = pd.read_csv("data/prepared/train.csv")
labels = frame.pop("label")
if params["shuffle_labels"]:  # a broken feature step: the model learns noise
    labels = labels.sample(frac=1, random_state=3).to_numpy()
model = LogisticRegression(C=params["C"], max_iter=300).fit(frame, labels)
with open("model.pkl", "wb") as handle:
    pickle.dump(model, handle)
"""

STACK_EVALUATE = """\
import json
import pickle
from pathlib import Path
import pandas as pd
from sklearn.metrics import accuracy_score, roc_auc_score

model = pickle.load(open("model.pkl", "rb"))
metrics = {"roc_auc": {}, "accuracy": {}}
for split in ("train", "test"):
    frame = pd.read_csv(f"data/prepared/{split}.csv")
    labels = frame.pop("label")
    metrics["roc_auc"][split] = roc_auc_score(labels, model.predict_proba(frame)[:, 1])
    metrics["accuracy"][split] = accuracy_score(labels, model.predict(frame))
Path("eval").mkdir(exist_ok=True)
Path("eval/metrics.json").write_text(json.dumps(metrics, indent=2))
"""

STACK_DVC = {
    "artifacts": {"classifier": {"path": "model.pkl", "type": "model"}},
    "stages": {
        "prepare": {
            "cmd": "python prepare.py",
            "deps": ["data/data.csv", "prepare.py"],
            "outs": ["data/prepared"],
        },
        "train": {
            "cmd": "python train.py",
            "deps": ["data/prepared", "train.py"],
            "params": ["C", "shuffle_labels"],
            "outs": ["model.pkl"],
        },
        "evaluate": {
            "cmd": "python evaluate.py",
            "deps": ["model.pkl", "data/prepared", "evaluate.py"],
            "metrics": [{"eval/metrics.json": {"cache": False}}],
        },
    },
}

STACK_CONFIG = {
    "model": {
        "name": "stack",
        "metric": "roc_auc.test",
        "metrics_file": "eval/metrics.json",
        "artifact": "model.pkl",
        "flavor": "sklearn",
    },
    "tracking": {"uri": "sqlite:///mlflow.db", "experiment": "stack"},
    "data": ["data/data.csv"],
    "validation": {"data": "data/prepared/test.csv", "target": "label", "metric": "roc_auc"},
    "pipeline": {"push": False},
}

GITIGNORE = "mlflow.db\nmlartifacts/\nmlruns/\n.retrigger/\n__pycache__/\n"


def wine_rows(count: int, seed: int) -> list[str]:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, 4))
    quality = 5.5 + 0.8 * x[:, 0] - 0.5 * x[:, 1] + 0.3 * x[:, 2] + rng.normal(0, 0.3, count)
    return [",".join(f"{v:.4f}" for v in (*row, q)) for row, q in zip(x, quality, strict=True)]


def stack_rows(count: int, seed: int) -> list[str]:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, 5))
    logit = 1.5 * x[:, 0] - 1.0 * x[:, 1] + 0.5 * x[:, 2]
    label = (rng.random(count) < 1 / (1 + np.exp(-logit))).astype(int)
    return [",".join([*(f"{v:.4f}" for v in row), str(y)]) for row, y in zip(x, label, strict=True)]


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _init(
    root: Path,
    mlflow_db: Path,
    config: Mapping[str, object],
    dvc: Mapping[str, object],
    scripts: dict[str, str],
    params: dict[str, object],
) -> None:
    root.mkdir(parents=True)
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "dvc", "init", "-q")
    _write(root, ".gitignore", GITIGNORE)
    _write(root, "retrigger.yaml", yaml.safe_dump(config, sort_keys=False))
    _write(root, "dvc.yaml", yaml.safe_dump(dvc, sort_keys=False))
    _write(root, "params.yaml", yaml.safe_dump(params))
    for name, text in scripts.items():
        _write(root, name, text)
    shutil.copyfile(mlflow_db, root / "mlflow.db")


def build_wine(root: Path, mlflow_db: Path) -> Path:
    """The wine project after the team's first `dvc repro` (registry version 1, alpha 1.0)."""
    _init(root, mlflow_db, WINE_CONFIG, WINE_DVC, {"train.py": WINE_TRAIN}, {"alpha": 1.0})
    header = "acidity,sugar,sulphates,ph,quality"
    _write(root, "data/wine.csv", "\n".join([header, *wine_rows(300, seed=1)]) + "\n")
    _write(root, "data/validation.csv", "\n".join([header, *wine_rows(200, seed=2)]) + "\n")
    sh(root, "dvc", "add", "-q", "data/wine.csv")
    sh(root, "dvc", "repro", "-q")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "wine: first model")
    return root


def build_stack(root: Path, mlflow_db: Path) -> Path:
    """The get-started-like project after its first `dvc repro` (no MLflow run at all)."""
    scripts = {"prepare.py": STACK_PREPARE, "train.py": STACK_TRAIN, "evaluate.py": STACK_EVALUATE}
    _init(root, mlflow_db, STACK_CONFIG, STACK_DVC, scripts, {"C": 0.01, "shuffle_labels": False})
    header = "f0,f1,f2,f3,f4,label"
    _write(root, "data/data.csv", "\n".join([header, *stack_rows(400, seed=5)]) + "\n")
    sh(root, "dvc", "add", "-q", "data/data.csv")
    sh(root, "dvc", "repro", "-q")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "stack: first model")
    return root


def set_params(root: Path, commit: bool = True, **params: object) -> None:
    """Change params.yaml (and commit it, as a team would before asking for a retrain)."""
    path = root / "params.yaml"
    current = yaml.safe_load(path.read_text()) or {}
    path.write_text(yaml.safe_dump({**current, **params}))
    if commit:
        sh(root, "git", "commit", "-q", "-am", f"params: {params}")


def copy(template: Path, target: Path) -> Path:
    """A private copy; MLflow's store keeps absolute artifact paths, so they are moved too."""
    shutil.copytree(template, target, symlinks=True)
    move_paths(target / "mlflow.db", str(template.resolve()), str(target.resolve()))
    return target


def move_paths(db: Path, old: str, new: str) -> None:
    """Replace the folder ``old`` by ``new`` in every text column of an MLflow SQLite store."""
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in conn.execute(f"PRAGMA table_info('{table}')").fetchall():
                if "CHAR" in column[2].upper() or "TEXT" in column[2].upper():
                    conn.execute(
                        f'UPDATE "{table}" SET "{column[1]}" = '
                        f'replace("{column[1]}", ?, ?) WHERE "{column[1]}" LIKE ?',
                        (old, new, f"%{old}%"),
                    )


@pytest.fixture(scope="session")
def wine_template(tmp_path_factory: pytest.TempPathFactory, mlflow_db_template: Path) -> Path:
    return build_wine(tmp_path_factory.mktemp("wine") / "project", mlflow_db_template)


@pytest.fixture(scope="session")
def stack_template(tmp_path_factory: pytest.TempPathFactory, mlflow_db_template: Path) -> Path:
    return build_stack(tmp_path_factory.mktemp("stack") / "project", mlflow_db_template)


@pytest.fixture
def wine(wine_template: Path, tmp_path: Path) -> Path:
    return copy(wine_template, tmp_path / "project")


@pytest.fixture
def stack(stack_template: Path, tmp_path: Path) -> Path:
    return copy(stack_template, tmp_path / "project")
