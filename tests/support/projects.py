"""Real git + DVC projects for tests, built once and copied."""

from __future__ import annotations

import shutil
from pathlib import Path

from retrigger.demo import project
from retrigger.workspace import Workspace


def make_mlflow_db(path: Path) -> Path:
    """Create MLflow's tables in a fresh SQLite file."""
    from mlflow.tracking import MlflowClient

    MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


def build_demo_template(root: Path, mlflow_db: Path) -> Path:
    """The demo project, plus an MLflow store with tables but no experiment yet (so each
    copy creates its experiment, and its artifact folder, inside itself)."""
    project.build_project(root)
    shutil.copyfile(mlflow_db, root / "mlflow.db")
    return root


def copy_project(template: Path, target: Path) -> Path:
    """Copy the project tree and record its baseline run in its own MLflow store."""
    shutil.copytree(template, target, symlinks=True)
    project.record_baseline(Workspace.load(target / "retrigger.yaml"))
    return target
