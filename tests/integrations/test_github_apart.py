"""The generated workflow's retrain job, its install step included, on a project whose own
requirements conflict with retrigger's (``pydantic==1.10.0`` against ``pydantic>=2.7``): the
project's dependencies go into ``.venv``, retrigger is `uv tool install`-ed from a wheel built
here, and a forced retrain runs the stages in the project's environment, then opens the pull
request (stub `gh`, a bare `origin`).

Offline and fast: the wheels the job installs come from uv's cache (`--offline`), the
conflicting pydantic is a local wheel, and the project's heavy stack (pandas, scikit-learn) is
shared with the test's environment through a ``.pth`` line written by the project's install
command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.proc import run
from tests.conftest import _REAL_HOME
from tests.integrations.test_github_jobs import GH_STUB, _git, _render, _wanted, _with_origin
from tests.support import real_projects
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.project_env import build_wheel

pytestmark = pytest.mark.slow

# The get-started-like project after its first `dvc repro` (session-built, copied per test).
stack_template = real_projects.stack_template
stack_project = real_projects.stack  # a copy per test

REPO = Path(__file__).resolve().parents[2]
HERE = Path(sys.executable).parent
# uv's cache of this machine (the tests' HOME is a sandbox): every wheel is read from it.
UV_CACHE = os.environ.get("UV_CACHE_DIR") or str(_REAL_HOME / ".cache" / "uv")

_NOT_SOURCE = (
    ".venv",
    "build",
    ".git",
    "__pycache__",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
)

OLD_PYDANTIC = 'VERSION = "1.10.0"\n'

SHARE_STACK = f"""\
import sys, sysconfig
from pathlib import Path
site = Path(sysconfig.get_paths()["purelib"])
(site / "retrigger_stack.pth").write_text({sysconfig.get_paths()["purelib"]!r} + "\\n")
"""


@pytest.fixture(scope="module")
def retrigger_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # Built from a copy (building in the tree races the tests that install it), with the
    # declared build backend: `--offline` failed in the full suite ("setuptools was not found
    # in the cache") though the same build passed alone, so the backend may be fetched here,
    # as tests/test_packaging.py does. Everything the job installs later stays offline.
    source = tmp_path_factory.mktemp("src") / "retrigger"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    args = [str(HERE / "uv"), "build", "-q", "--wheel", "-o", str(dist), str(source)]
    built = run(args, source, check=False, env={"UV_CACHE_DIR": UV_CACHE})
    assert built.returncode == 0, built.stderr
    return next(dist.glob("retrigger-*.whl"))


def _runner_bin(tmp: Path) -> Path:
    """What setup-python leaves on PATH: `python` (with pip and uv), and the stub `gh`."""
    folder = tmp / "runner-bin"
    folder.mkdir()
    for name, text in {
        "python": f'#!/bin/sh\nexec "{sys.executable}" "$@"\n',
        "uv": f'#!/bin/sh\nexec "{HERE / "uv"}" "$@"\n',
        "gh": GH_STUB,
    }.items():
        (folder / name).write_text(text)
        (folder / name).chmod(0o755)
    return folder


def _run_job(job: dict[str, Any], context: dict[str, Any], cwd: Path, tmp: Path) -> None:
    """The job's `run:` steps in order, with $GITHUB_ENV and $GITHUB_PATH as a runner keeps
    them, on a PATH without the test's virtualenv (only what the steps install)."""
    env_file, path_file = tmp / "github_env", tmp / "github_path"
    env_file.write_text("")
    path_file.write_text("")
    user_path = [p for p in os.environ["PATH"].split(os.pathsep) if p != str(HERE)]
    uv = {
        "UV_OFFLINE": "1",
        "UV_CACHE_DIR": UV_CACHE,
        "UV_TOOL_DIR": str(tmp / "uv-tools"),
        "UV_TOOL_BIN_DIR": str(tmp / "uv-bin"),
        "UV_PYTHON": sys.executable,
        "PIP_NO_INDEX": "1",
    }
    runner = _runner_bin(tmp)
    steps_out: dict[str, Any] = {}
    for step in job["steps"]:
        if "run" not in step or not _wanted(step, steps_out):
            continue
        output_file = tmp / f"output_{step.get('id', 'x')}"
        output_file.write_text("")
        exported = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        added = list(reversed(path_file.read_text().split()))  # the last added comes first
        env = {
            **{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
            **uv,
            **exported,
            "GITHUB_ENV": str(env_file),
            "GITHUB_PATH": str(path_file),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_ACTOR": "octocat",
            "GITHUB_SHA": context["github"]["sha"],
            "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "RUNNER_TEMP": str(tmp),
            "GH_RECORD": str(tmp / "gh-argv"),
            "PATH": os.pathsep.join([*added, str(runner), *user_path]),
            **{k: _render(v, context) for k, v in step.get("env", {}).items()},
        }
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert result.returncode == 0, (
            f"step {step.get('name')!r}: {result.stdout[-1500:]}\n{result.stderr[-3000:]}"
        )
        if "id" in step:
            outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
            steps_out[step["id"]] = {"outputs": outputs}
            context["steps"] = steps_out
        context["env"] = exported


def test_a_forced_retrain_installs_retrigger_apart_and_trains_in_the_projects_venv(
    stack_project: Path, tmp_path: Path, retrigger_wheel: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = stack_project
    wheels = tmp_path / "wheels"
    build_wheel(wheels, OLD_PYDANTIC, name="pydantic", version="1.10.0")
    (stack / "requirements.txt").write_text("pydantic==1.10.0\n")
    (tmp_path / "share_stack.py").write_text(SHARE_STACK)
    train = stack / "train.py"
    train.write_text(
        'import pydantic\nassert pydantic.VERSION == "1.10.0", pydantic.VERSION\n'
        + train.read_text()
    )
    with (stack / ".gitignore").open("a") as handle:
        handle.write(".venv/\n")
    sh(stack, "dvc", "remote", "add", "-q", "-d", "store", str(tmp_path / "dvc-remote"))
    sh(stack, "dvc", "push", "-q")
    monkeypatch.chdir(stack)
    assert run_cli("init", "--ci", "github").code == 0
    sh(stack, "git", "add", "-A")
    sh(stack, "git", "commit", "-q", "-m", "the team pins pydantic 1; retrigger's workflow")
    sha = _with_origin(stack, tmp_path)
    job = yaml.safe_load((stack / ".github/workflows/retrain.yml").read_text())["jobs"]["retrain"]
    install = (
        f"pip install -q --no-index --find-links {wheels} -r requirements.txt"
        f" && python {tmp_path / 'share_stack.py'}"
    )
    context: dict[str, Any] = {
        "inputs": {"force": "true", "reason": "pydantic 1 project"},
        "github": {"event": {"repository": {"default_branch": "main"}}, "sha": sha},
        "secrets": {
            "RETRAIN_REQUIREMENT": str(retrigger_wheel),
            "RETRAIN_PROJECT_INSTALL": install,
        },
    }

    _run_job(job, context, stack, tmp_path)

    assert (tmp_path / "uv-bin" / "retrigger").is_file()  # the tool, not the project's venv
    assert not (stack / ".venv" / "bin" / "retrigger").exists()
    assert (context["steps"]["retrain"]["outputs"]["status"]) == "promoted"
    decision_id = context["steps"]["retrain"]["outputs"]["decision_id"]
    changed = _git(tmp_path / "origin.git", "diff", "--name-only", sha, f"retrigger/{decision_id}")
    assert "dvc.lock" in changed.split()
    assert (tmp_path / "gh-argv").read_text().splitlines()[:2] == ["pr", "create"]
