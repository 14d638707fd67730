"""Shared fixtures: guard rails, real MLflow stores and servers, real git + DVC projects.

Expensive things are built once per session and copied per test (DESIGN.md, "Testing with
real parts, fast").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import fresh_postgres_database, postgres_base_url
from tests.support.dvcrepo import build_template, copy_repo
from tests.support.mlflow_server import MlflowServer, start_mlflow_server
from tests.support.projects import build_demo_template, copy_project, make_mlflow_db

# The home before the sandbox: xdist's workers start with HOME already the sandbox (set by the
# controller's pytest_configure), so they read it from the variable the controller leaves.
_REAL_HOME = Path(os.environ.get("TESTS_REAL_HOME") or Path.home())
_SANDBOX_HOME = Path(tempfile.mkdtemp(prefix="retrigger-test-home-"))


def pytest_configure(config: pytest.Config) -> None:
    # Guard rails (STYLE.md #14): nothing reaches the real home, Slack, telemetry or a token.
    os.environ.setdefault("TESTS_REAL_HOME", str(_REAL_HOME))
    os.environ["HOME"] = str(_SANDBOX_HOME)
    os.environ["XDG_CONFIG_HOME"] = str(_SANDBOX_HOME / ".config")
    os.environ["XDG_CACHE_HOME"] = str(_SANDBOX_HOME / ".cache")
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    os.environ["DO_NOT_TRACK"] = "true"
    os.environ["DVC_NO_ANALYTICS"] = "1"
    # The suite runs in its activated venv, as scripts/test.sh runs it: the stages' `python`
    # is the one on PATH (retrigger no longer puts its own bin/ first), so it must be this one.
    here = str(Path(sys.executable).parent)
    os.environ["PATH"] = os.pathsep.join(
        [here, *(p for p in os.environ["PATH"].split(os.pathsep) if p != here)]
    )
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    os.environ["GIT_AUTHOR_NAME"] = os.environ["GIT_COMMITTER_NAME"] = "retrigger tests"
    os.environ["GIT_AUTHOR_EMAIL"] = os.environ["GIT_COMMITTER_EMAIL"] = "tests@retrigger.local"
    for name in list(os.environ):
        if name.startswith(("SLACK_", "RETRIGGER_", "GITHUB_")) or name in _GIT_PLUMBING:
            del os.environ[name]
    # CI runs the suite with CI=true, which turns validation.load_check on by default (a venv
    # per retrain): the tests of that check set it themselves.
    os.environ.pop("CI", None)


_GIT_PLUMBING = {"GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY"}


@pytest.fixture(autouse=True)
def _no_mlflow_state_between_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """``mlflow.set_tracking_uri`` writes MLFLOW_TRACKING_URI into os.environ: a test that used
    MLflow in-process must not hand its store to the next test's `init` or subprocesses."""
    for name in (
        "MLFLOW_TRACKING_URI",
        "MLFLOW_REGISTRY_URI",
        "MLFLOW_EXPERIMENT_ID",
        "MLFLOW_EXPERIMENT_NAME",
        "MLFLOW_RUN_ID",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _isolated_cwd(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test starts in its own empty folder, so a stray ./mlruns lands nowhere shared."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session", autouse=True)
def _real_home_untouched() -> Iterator[None]:
    watched = [_REAL_HOME / name for name in (".mlflow", "mlruns", ".dvc", ".retrigger")]
    before = {path: path.exists() for path in watched}
    yield
    written = [str(path) for path in watched if path.exists() and not before[path]]
    assert not written, f"tests wrote to the real home directory: {written}"


@pytest.fixture(scope="session")
def mlflow_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow SQLite store with its tables created once (≈1.4 s), copied per test."""
    return make_mlflow_db(tmp_path_factory.mktemp("mlflow-template") / "mlflow.db")


@pytest.fixture
def mlflow_uri(mlflow_db_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "mlflow.db"
    shutil.copyfile(mlflow_db_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, mlflow_db_template: Path) -> Path:
    """The demo's git + DVC project (pipeline run once, committed), built once per session."""
    return build_demo_template(
        tmp_path_factory.mktemp("demo-template") / "project", mlflow_db_template
    )


@pytest.fixture
def demo_project(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo project, with a baseline run in its own MLflow store."""
    return copy_project(demo_template, tmp_path / "project")


@pytest.fixture(scope="session")
def mlflow_server(
    tmp_path_factory: pytest.TempPathFactory, mlflow_db_template: Path
) -> Iterator[MlflowServer]:
    """A real ``mlflow server`` on a free loopback port, shared by the session."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    db = folder / "server.db"
    shutil.copyfile(mlflow_db_template, db)
    with start_mlflow_server(db, folder / "artifacts") as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh state database, once on SQLite and once on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    with fresh_postgres_database(postgres_base_url()) as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server (skipped without one)."""
    with fresh_postgres_database(postgres_base_url()) as url:
        yield url


@pytest.fixture(scope="session")
def dvc_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dvc-template")
    remote = folder / "remote"
    return build_template(folder / "repo", remote), remote


@pytest.fixture
def dvc_repo(dvc_template: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private git + DVC repo (committed, pushed) with its own directory remote."""
    template, remote = dvc_template
    return copy_repo(template, remote, tmp_path / "repo", tmp_path / "remote")


def sqlite_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    """Read the state store directly, the way an auditor would."""
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))
