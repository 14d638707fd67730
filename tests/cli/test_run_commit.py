"""After a promoted `retrigger run`: git must record the new dvc.lock, or `git checkout` +
`dvc checkout` gives back the previous model. `run` prints the exact command; with
`pipeline.commit: true` it commits itself, naming the decision (the CLI in-process: what is
tested is git's record, not the process)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.support import retrain
from tests.support.cli import run_cli
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow

degraded_template = retrain.degraded_template
retrainable = retrain.retrainable


def _git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_a_promoted_run_prints_the_git_command_that_records_its_lock(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _git(retrainable.root, "rev-parse", "HEAD")
    monkeypatch.chdir(retrainable.root)

    result = run_cli("run", "--decision", retrainable.decision_id, "--config", retrainable.config)

    assert result.code == 0, result.err
    line = next(s.strip() for s in result.out.splitlines() if s.strip().startswith("git add"))
    assert "dvc.lock" in shlex.split(line)
    assert _git(retrainable.root, "rev-parse", "HEAD") == before  # only printed
    # The command works as printed.
    _git(retrainable.root, "config", "user.email", "dev@example.com")
    _git(retrainable.root, "config", "user.name", "Dev")
    subprocess.run(line, shell=True, cwd=retrainable.root, check=True, capture_output=True)
    assert retrainable.decision_id in _git(retrainable.root, "log", "-1", "--format=%s")
    assert "dvc.lock" not in _git(retrainable.root, "status", "--porcelain")


def test_pipeline_commit_true_commits_the_lock_itself(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(retrainable.root, "config", "user.email", "dev@example.com")
    _git(retrainable.root, "config", "user.name", "Dev")
    monkeypatch.chdir(retrainable.root)
    monkeypatch.setenv("RETRIGGER_PIPELINE__COMMIT", "true")

    result = run_cli(
        "run", "--decision", retrainable.decision_id, "--json", "--config", retrainable.config
    )

    assert result.code == 0, result.err
    git = json.loads(result.out)["git"]
    assert "dvc.lock" in git["files"]
    assert git["commit"] == _git(retrainable.root, "rev-parse", "HEAD")
    subject = _git(retrainable.root, "log", "-1", "--format=%s")
    assert retrainable.decision_id in subject
    assert "dvc.lock" in _git(retrainable.root, "show", "--name-only", "--format=", "HEAD")
