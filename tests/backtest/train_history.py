"""A project whose history ``backtest --train`` trains: four commits, each a new version of
``data/train.csv`` (real ``dvc add``), a ``dvc.yaml`` whose ``train`` stage fits a tiny
scikit-learn model on the first 80 % of the rows and writes the last 20 % as ``holdout.csv``
(``validation.data``), and an MLflow store with its tables. The concept drifts: the label is
``x > cut`` and the cut moves at every period, so an older model loses accuracy on newer rows.

The stage appends one line to ``$TRAIN_COUNTER`` each time it really runs (the test counts).
"""

from __future__ import annotations

import contextlib
import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.backtest.history import sh

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CUTS = (3.0, 4.0, 5.0, 6.0)  # the label's threshold at each period
ROWS = 60  # added per period

CONFIG = """\
model: {name: drift, metric: accuracy, artifact: model.pkl, flavor: sklearn}
tracking: {uri: "sqlite:///mlflow.db", experiment: drift}
state: {url: "sqlite:///.retrigger/state.db"}
data: [data/train.csv]
validation: {data: holdout.csv, target: y}
signals:
  volume: {min_new_rows: 100}
pipeline: {env: retrigger}
backtest:
  cost: {staleness: 10}
"""

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py, data/train.csv]
    outs: [model.pkl, holdout.csv]
"""

# The stage's code; the test fits the same way to compute cells by hand (``split``, ``fit``).
TRAIN = """\
import os
import pickle

import pandas as pd
from sklearn.tree import DecisionTreeClassifier


def split(frame):
    cut = int(len(frame) * 0.8)
    return frame.iloc[:cut], frame.iloc[cut:]


def fit(rows):
    return DecisionTreeClassifier(max_depth=3, random_state=0).fit(rows[["x"]], rows["y"])


if __name__ == "__main__":
    train, holdout = split(pd.read_csv("data/train.csv"))
    with open("model.pkl", "wb") as handle:
        pickle.dump(fit(train), handle)
    holdout.to_csv("holdout.csv", index=False)
    if os.environ.get("TRAIN_COUNTER"):
        with open(os.environ["TRAIN_COUNTER"], "a") as counter:
            counter.write(f"{len(train)}\\n")
"""


def rows_at(period: int) -> list[tuple[float, int]]:
    """All rows of ``data/train.csv`` at ``period``: each period's rows follow its own cut."""
    found = []
    for p in range(period + 1):
        for n in range(ROWS):
            x = ((n * 37 + p * 11) % 100) / 10
            found.append((x, int(x > CUTS[p])))
    return found


def build(root: Path, mlflow_db: Path) -> list[str]:
    root.mkdir(parents=True)
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "dvc", "init", "-q")
    (root / "retrigger.yaml").write_text(CONFIG)
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "train.py").write_text(TRAIN)
    (root / ".gitignore").write_text(".retrigger/\nmlflow.db\n/model.pkl\n/holdout.csv\n")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "pipeline", when=T0 - timedelta(days=1))
    shas = []
    for period in range(len(CUTS)):
        data = root / "data" / "train.csv"
        data.parent.mkdir(exist_ok=True)
        lines = ["x,y", *(f"{x:.1f},{y}" for x, y in rows_at(period))]
        data.write_text("\n".join(lines) + "\n")
        _dvc_add(root, "data/train.csv")
        sh(root, "git", "add", "-A")
        sh(
            root,
            "git",
            "commit",
            "-q",
            "-m",
            f"period {period}",
            when=T0 + timedelta(days=7 * period),
        )
        shas.append(sh(root, "git", "rev-parse", "HEAD").strip())
    shutil.copyfile(mlflow_db, root / "mlflow.db")
    return shas


def _dvc_add(root: Path, path: str) -> None:
    from dvc.repo import Repo

    with contextlib.redirect_stdout(io.StringIO()), Repo(str(root)) as repo:
        repo.add(str(root / path))
