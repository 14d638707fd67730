"""Build the demo project: a git + DVC repo with a scikit-learn stage and an MLflow baseline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from retrigger.data.versions import data_version, versions
from retrigger.demo.data import rows, write_csv
from retrigger.errors import WorkFailed
from retrigger.lineage import tags
from retrigger.metrics_file import read_metric
from retrigger.proc import own_interpreter, run
from retrigger.workspace import Workspace

ASSETS = Path(__file__).parent / "assets"
DATA_PATH = "data/train.csv"
DEMO_REMOTE = ".retrigger/dvc-remote"  # relative: works under any path (non-ASCII too)
FIRST_ROWS = 2000
NEW_ROWS = 3000

CONFIG = """\
# retrigger.yaml for the demo project: retrain the churn model when it degrades.
model:
  name: churn
  metric: accuracy
  greater_is_better: true
  metrics_file: metrics.json
  artifact: model             # an MLflow model folder (mlflow.sklearn.save_model)
tracking:
  uri: sqlite:///mlflow.db
  experiment: churn
state:
  url: sqlite:///.retrigger/state.db
data:
  - data/train.csv
validation:                   # champion and challenger scored on the same newest rows
  data: holdout.csv
  target: churn
signals:
  performance: {min: 0.70, max_drop: 0.05}
  schedule: {max_age: 30d}
policy:
  fire_when: any
  cooldown: 1h
  max_retrains: {count: 3, per: 7d}
  approval: none
pipeline:
  env: retrigger              # the stages run with retrigger's own python (sklearn is there)
"""

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps:
      - train.py
      - features.py
      - data/train.csv
    outs:
      - model
      - holdout.csv
    metrics:
      - metrics.json:
          cache: false
"""

GITIGNORE = "mlflow.db\nmlruns/\nmlartifacts/\n.retrigger/\n__pycache__/\n"


def sh(root: Path, *args: str) -> str:
    """Run one step of the demo; a failure names the command and its last error line."""
    try:
        # The demo's stages need scikit-learn: retrigger's own environment has it.
        return run(args, root, env=own_interpreter().env()).stdout
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or exc.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise WorkFailed(f"`{' '.join(args)}` failed in {root}: {tail[0]}") from None


def build_project(root: Path) -> None:
    """A committed git + DVC project whose pipeline has already run once on the first data."""
    root.mkdir(parents=True, exist_ok=True)
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "git", "config", "user.email", "demo@retrigger.local")
    sh(root, "git", "config", "user.name", "retrigger demo")
    sh(root, "dvc", "init", "-q")
    sh(root, "dvc", "config", "core.autostage", "true")
    for asset in ("train.py", "monitor.py", "features.py"):
        shutil.copyfile(ASSETS / asset, root / asset)
    (root / "retrigger.yaml").write_text(CONFIG)
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / ".gitignore").write_text(GITIGNORE)
    write_csv(root / DATA_PATH, rows(FIRST_ROWS, seed=7, shifted=False))
    sh(root, "dvc", "add", "-q", DATA_PATH)
    sh(root, "dvc", "repro", "-q")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "churn model v1: pipeline and first data")


def record_baseline(workspace: Workspace) -> str:
    """Log the first model's run to MLflow and tag it as the baseline; return its run id."""
    config = workspace.config
    accuracy = read_metric(
        workspace.root / (config.model.metrics_file or "metrics.json"), config.model.metric
    )
    outs = versions(workspace.root, config.data)
    client = workspace.tracking.client
    experiment_id = workspace.tracking.experiment_id(create=True)
    run = client.create_run(
        str(experiment_id),
        run_name="baseline-v1",
        tags={
            tags.BASELINE: "true",
            tags.DATA_VERSION: data_version(outs),
            **{tags.DATA_PATH_PREFIX + out.path: str(out.md5) for out in outs},
        },
    )
    client.log_metric(run.info.run_id, config.model.metric, accuracy)
    # The model itself, so validation can score the baseline on the same rows as a challenger.
    client.log_artifacts(run.info.run_id, str(workspace.root / "model"), "model")
    client.set_terminated(run.info.run_id)
    return str(run.info.run_id)


def degrade(root: Path) -> None:
    """New production data arrives: more rows, shifted, with a changed relation to churn."""
    table = rows(FIRST_ROWS, seed=7, shifted=False) + rows(NEW_ROWS, seed=11, shifted=True)
    write_csv(root / DATA_PATH, table)
    sh(root, "dvc", "add", "-q", DATA_PATH)
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "data: 3000 new production rows")


def monitor(root: Path) -> str:
    """Score the model in use on the newest data (what a production monitor does)."""
    return sh(root, "python", "monitor.py").strip()


def commit_monitoring(root: Path) -> None:
    """Commit the monitor's metrics file, as a monitoring job does: history then holds the
    drop, and ``retrigger backtest`` replays the check that fired on it."""
    sh(root, "git", "add", "metrics.json")
    sh(root, "git", "commit", "-q", "-m", "monitoring: the model in use on the newest data")
