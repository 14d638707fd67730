"""A stream written as a real git + DVC history, for ``benchmarks/retrain_cost.py``.

One commit per period, a week apart, each adding that period's rows to ``data/train.csv``
(with a ``period`` column) and replacing ``data/valid.csv`` with that period's labelled
validation rows (both ``dvc add``-ed). ``dvc.yaml``'s ``train`` stage fits a scikit-learn
HistGradientBoosting pipeline on the rows of the last ``WINDOW`` periods (a drifting stream is
retrained on recent data) and writes ``model.pkl``; ``validation.data`` is ``data/valid.csv``,
so ``backtest --train`` scores model i on period j's own rows.

The config is ``retrigger init``'s default policy (performance max_drop 5 %, schedule 30 days,
cooldown 24 h, at most 3 retrains a week); the history records no metric (no metrics file, an
empty MLflow store), so the performance signal is unknown in the replay and the schedule drives.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.cost_streams import Stream

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WINDOW = 5  # periods of rows the training stage fits on

CONFIG = """\
model: {{name: {name}, metric: {metric}, greater_is_better: {greater}, metrics_file: null,
        artifact: model.pkl, flavor: sklearn}}
tracking: {{uri: "sqlite:///mlflow.db", experiment: {name}}}
state: {{url: "sqlite:///.retrigger/state.db"}}
data: [data/train.csv]
validation: {{data: data/valid.csv, target: y}}
signals:
  performance: {{max_drop: 0.05}}
  schedule: {{max_age: 30d}}
policy:
  fire_when: any
  cooldown: 24h
  max_retrains: {{count: 3, per: 7d}}
pipeline: {{env: retrigger}}
backtest:
  cost: {{retrain: 1, staleness: 1}}
"""

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py, regression, data/train.csv]
    outs: [model.pkl]
"""

TRAIN = f"""\
import pickle

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

WINDOW = {WINDOW}


def fit(rows, regression):
    recent = rows[rows["period"] > rows["period"].max() - WINDOW]
    features = recent.drop(columns=["period", "y"])
    text = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    encode = ColumnTransformer(
        [("text", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), text)],
        remainder="passthrough",
    )
    model = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
    return make_pipeline(encode, model(max_iter=100, random_state=0)).fit(features, recent["y"])


if __name__ == "__main__":
    with open("regression") as flag:
        regression = flag.read().strip() == "true"
    with open("model.pkl", "wb") as handle:
        pickle.dump(fit(pd.read_csv("data/train.csv"), regression), handle)
"""


def write(root: Path, stream: Stream) -> list[str]:
    """The history of ``stream`` at ``root`` (made); the commit of each period."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    dvc = str(Path(sys.executable).parent / "dvc")
    subprocess.run([dvc, "init", "-q"], cwd=root, check=True, capture_output=True)
    # Autostage: DVC stages the .dvc files itself instead of printing how to, at every period.
    subprocess.run([dvc, "config", "core.autostage", "true"], cwd=root, check=True)
    greater = "true" if stream.greater_is_better else "false"
    (root / "retrigger.yaml").write_text(
        CONFIG.format(name=stream.name, metric=stream.metric, greater=greater)
    )
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "train.py").write_text(TRAIN)
    (root / "regression").write_text(str(not stream.greater_is_better).lower() + "\n")
    (root / ".gitignore").write_text(".retrigger/\nmlflow.db\n/model.pkl\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "pipeline", when=T0 - timedelta(days=1))
    (root / "data").mkdir()
    shas = []
    for period, (train, valid) in enumerate(stream.periods):
        train = train.assign(period=period)
        path = root / "data" / "train.csv"
        train.to_csv(path, mode="a" if period else "w", header=not period, index=False)
        valid.to_csv(root / "data" / "valid.csv", index=False)
        _dvc_add(root, ["data/train.csv", "data/valid.csv"])
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"period {period}", when=T0 + timedelta(days=7 * period))
        shas.append(git(root, "rev-parse", "HEAD").strip())
    return shas


def _dvc_add(root: Path, paths: list[str]) -> None:
    from dvc.repo import Repo

    quiet = io.StringIO()
    with (
        contextlib.redirect_stdout(quiet),
        contextlib.redirect_stderr(quiet),
        Repo(str(root)) as repo,
    ):
        repo.add([str(root / p) for p in paths])


def git(root: Path, *args: str, when: datetime | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "b@bench.local",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "b@bench.local",
    }
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True, env=env
    ).stdout
