"""Two CI runners picking up one decision approved in Slack, sharing PostgreSQL state:
exactly one retrains it. (tests/pipeline races two runners on the embedded SQLite state.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from retrigger.commands.check import check as run_check
from retrigger.workspace import Workspace
from tests.pipeline.test_retrain import retrain_runs
from tests.support import retrain
from tests.support.retrain import Retrainable, record_first_baseline

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# The demo project after new data made the check fire, with a local DVC remote (session-built).
degraded_template = retrain.degraded_template

# A repro that says it started, then waits until the test lets it go (no sleeps in the test).
BLOCKING = "sh -c 'echo $$ >> started.log; while [ ! -f release ]; do sleep 0.05; done; dvc repro'"


@pytest.fixture
def approved(
    degraded_template: Path, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Retrainable, dict[str, str]]:
    """A fired decision stored in PostgreSQL, its approval requested by `run` and given."""
    env = {"RETRIGGER_STATE__URL": postgres_url, "RETRIGGER_POLICY__APPROVAL": "required"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    root = Path(shutil.copytree(degraded_template, tmp_path / "project", symlinks=True))
    (tmp_path / "remote").mkdir()
    workspace = Workspace.load(root / "retrigger.yaml")
    record_first_baseline(workspace)
    decision = run_check(workspace)
    workspace.store.close()
    assert decision.fire
    project = Retrainable(root, decision.id)
    asked = retrain.retrigger(project, "run", "--decision", decision.id, "--json", env=env)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["status"] == "awaiting-approval"
    approval_id = json.loads(asked.stdout)["approval_id"]
    given = retrain.retrigger(project, "approve", approval_id, env=env)
    assert given.returncode == 0, given.stderr
    assert not (root / ".retrigger" / "state.db").exists()  # nothing went to SQLite
    return project, env


def _start(project: Retrainable, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "retrigger",
            "run",
            "--approved",
            "--json",
            "--config",
            project.config,
        ],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env, "RETRIGGER_PIPELINE__COMMAND": BLOCKING},
    )


def test_two_runners_claiming_one_approved_decision_retrain_it_once(
    approved: tuple[Retrainable, dict[str, str]], postgres_url: str
) -> None:
    project, env = approved
    started = project.root / "started.log"
    runners = [_start(project, env), _start(project, env)]
    try:
        # The winner blocks inside its repro; the other runner must give up meanwhile.
        deadline = time.monotonic() + 180
        while not (started.exists() and any(r.poll() is not None for r in runners)):
            assert time.monotonic() < deadline, "no runner retrained and none gave up"
            assert not all(r.poll() is not None for r in runners), [
                r.stderr.read() for r in runners if r.stderr
            ]
            time.sleep(0.05)
        loser = next(r for r in runners if r.poll() is not None)
        winner = next(r for r in runners if r is not loser)
        assert winner.poll() is None  # still retraining while the other gave up
    finally:
        (project.root / "release").touch()

    loser_err = loser.stderr.read() if loser.stderr else ""
    assert winner.wait(timeout=240) == 0, winner.stderr.read() if winner.stderr else ""
    assert loser.returncode in (0, 3), loser_err
    if loser.returncode == 3:
        assert "holds the lock" in loser_err
    assert len(started.read_text().split()) == 1
    assert len(retrain_runs(project.root)) == 1
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, executed_at FROM approvals")).all()
    engine.dispose()
    assert len(rows) == 1 and rows[0][0] == "approved" and rows[0][1] is not None
    for runner in runners:
        for stream in (runner.stdout, runner.stderr):
            if stream is not None:
                stream.close()
