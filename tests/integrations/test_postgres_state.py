"""Shared state on PostgreSQL, through the CLI: what a CI runner and the bot share.

A team points every machine at one PostgreSQL database with RETRIGGER_STATE__URL; the CI job's
decision must land there (and not in a local SQLite file), and a database that does not answer
must be one clear line, quickly, with nothing decided.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support import git_dvc
from tests.support.cli import run_cli

# Fixtures: a small committed git + DVC project, built once per session and copied.
git_dvc_template = git_dvc.git_dvc_template
git_dvc_project = git_dvc.git_dvc_project


@pytest.mark.slow
@pytest.mark.postgres
def test_check_stores_its_decision_in_the_shared_database(
    demo_project: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo_project)
    monkeypatch.setenv("RETRIGGER_STATE__URL", postgres_url)
    local_state = demo_project / ".retrigger" / "state.db"
    local_state.unlink(missing_ok=True)

    result = run_cli("check", "--json")

    assert result.code == 0, result.err
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id, model FROM decisions")).all()
    engine.dispose()
    assert [tuple(row) for row in stored] == [(_decision_id(result.out), "churn")]
    assert not local_state.exists()


def _decision_id(out: str) -> str:
    return str(json.loads(out)["decision_id"])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers, like a firewalled database."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


@pytest.mark.slow
def test_a_database_that_does_not_answer_is_one_line_within_10_s(
    git_dvc_project: Path, silent_server: int
) -> None:
    assert (
        subprocess.run(
            [sys.executable, "-m", "retrigger", "init"],
            cwd=git_dvc_project,
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    # The project has no dvc.yaml, so init left the metric for a person to name.
    env = {
        **os.environ,
        "RETRIGGER_MODEL__METRIC": "accuracy",
        "RETRIGGER_STATE__URL": f"postgresql://ci:s3cret@127.0.0.1:{silent_server}/state",
    }

    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "retrigger", "check"],
        cwd=git_dvc_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not reachable" in lines[0] and "state.url" in lines[0]
    assert "s3cret" not in result.stderr  # the password is never printed
    assert elapsed < 10, f"took {elapsed:.1f} s"
    assert not (git_dvc_project / ".retrigger" / "state.db").exists()
