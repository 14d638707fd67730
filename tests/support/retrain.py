"""Fixtures for retrain tests: a demo project whose new data made the check fire, with a local
DVC remote (imported by tests/pipeline/conftest.py and tests/cli/conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from retrigger.commands.check import check as run_check
from retrigger.data.versions import data_version, versions
from retrigger.demo import project
from retrigger.gitutil import show_file
from retrigger.lineage import tags
from retrigger.workspace import Workspace


@dataclass(frozen=True)
class Retrainable:
    root: Path
    decision_id: str

    @property
    def config(self) -> str:
        return str(self.root / "retrigger.yaml")


@pytest.fixture(scope="session")
def degraded_template(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """The demo project after new, shifted data was committed and the monitor scored the model
    in use on it (metrics.json): what the team has when the check fires."""
    root = tmp_path_factory.mktemp("degraded") / "project"
    shutil.copytree(demo_template, root, symlinks=True)
    project.degrade(root)
    project.monitor(root)
    # Relative to the project, so every copy at <tmp>/project pushes to its own <tmp>/remote.
    project.sh(root, "dvc", "remote", "add", "-q", "-d", "store", "../remote")
    return root


def record_first_baseline(workspace: Workspace) -> None:
    """The baseline run of model v1: trained on the data before the new rows (HEAD~1)."""
    outs = versions(workspace.root, workspace.config.data, "HEAD~1")
    accuracy = json.loads(show_file(workspace.root, "HEAD~1", "metrics.json") or "{}")["accuracy"]
    client = workspace.tracking.client
    experiment = str(workspace.tracking.experiment_id(create=True))
    run = client.create_run(
        experiment,
        run_name="baseline-v1",
        tags={
            tags.BASELINE: "true",
            tags.DATA_VERSION: data_version(outs),
            **{tags.DATA_PATH_PREFIX + out.path: str(out.md5) for out in outs},
        },
    )
    client.log_metric(run.info.run_id, "accuracy", accuracy)
    # The working tree still holds model v1 (the monitor only scored it): the baseline's model.
    client.log_artifacts(run.info.run_id, str(workspace.root / "model"), "model")
    client.set_terminated(run.info.run_id)


@pytest.fixture
def retrainable(degraded_template: Path, tmp_path: Path) -> Retrainable:
    root = tmp_path / "project"
    shutil.copytree(degraded_template, root, symlinks=True)
    (tmp_path / "remote").mkdir()
    workspace = Workspace.load(root / "retrigger.yaml")
    record_first_baseline(workspace)
    decision = run_check(workspace)
    workspace.store.close()
    assert decision.fire, decision
    return Retrainable(root, decision.id)


def retrigger(
    project: Retrainable, *args: str, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess, in the project folder."""
    return subprocess.run(
        [sys.executable, "-m", "retrigger", *args, "--config", project.config],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
