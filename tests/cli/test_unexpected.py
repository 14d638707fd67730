"""An exception that is not a RetriggerError: one line naming it and the log file that holds the
traceback, exit 1; ``--debug`` or ``RETRIGGER_DEBUG=1`` shows the traceback (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = "model:\n  name: churn\nsignals:\n  schedule: {max_age: 1d}\n"

# A fault retrigger has no name for, raised inside a real `retrigger` process: every input
# that used to raise one (an unknown tracking scheme, a state file that is not SQLite) is now
# refused by name, so the fault is planted where `check` starts.
_FAULTY_RETRIGGER = """\
import sys
import retrigger.commands.check as command
def check(workspace):
    raise RuntimeError("Unsupported layout of something retrigger never met")
command.check = check
from retrigger.cli.main import entrypoint
sys.argv = ["retrigger", *sys.argv[1:]]
entrypoint()
"""


def _run(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "RETRIGGER_DEBUG"}
    environment.update(XDG_CACHE_HOME=str(root / "cache"), **env)
    return subprocess.run(
        [sys.executable, "-c", _FAULTY_RETRIGGER, *args],
        cwd=root / "project",
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / "retrigger.yaml").write_text(CONFIG)
    return tmp_path


def test_an_unexpected_error_is_one_line_and_a_log_file(root: Path) -> None:
    result = _run(root, "check")

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("retrigger: unexpected error: RuntimeError: Unsupported layout")
    log = root / "cache" / "retrigger" / "retrigger.log"
    assert str(log) in lines[0]
    assert "Traceback (most recent call last)" in log.read_text()
    assert "retrigger check" in log.read_text().splitlines()[0]


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_shows_the_traceback(root: Path, how: str) -> None:
    if how == "flag":
        result = _run(root, "--debug", "check")
    else:
        result = _run(root, "check", RETRIGGER_DEBUG="1")

    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("retrigger: unexpected error:")


def test_a_known_error_is_still_its_own_line_and_code(root: Path) -> None:
    (root / "project" / "retrigger.yaml").write_text("model: {name: churn}\nmodle: 1\n")

    result = _run(root, "--debug", "check")

    assert result.returncode == 2
    assert "unknown config key 'modle'" in result.stderr
    assert "Traceback" not in result.stderr
