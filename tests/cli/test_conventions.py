"""What CLI users expect of any tool: --version, shell completion, -q/-v, a list of decisions."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from retrigger.demo import project
from tests.support.cli import run_cli


def test_version_prints_the_installed_version() -> None:
    result = run_cli("--version")

    assert result.code == 0
    assert result.out == f"retrigger {version('retrigger')}\n"


def _complete(**env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "retrigger"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_shell_completion_gives_a_script_and_completes_commands() -> None:
    # What `--install-completion` writes into ~/.bashrc runs exactly this protocol.
    script = _complete(_RETRIGGER_COMPLETE="source_bash")
    words = _complete(
        _RETRIGGER_COMPLETE="complete_bash", COMP_WORDS="retrigger dec", COMP_CWORD="1"
    )

    assert "complete" in script and "_RETRIGGER_COMPLETE" in script
    assert words.split() == ["decisions"]


def test_help_lists_quiet_verbose_and_decisions() -> None:
    out = run_cli("--help").out

    for word in ("--version", "--quiet", "--verbose", "--install-completion", "decisions"):
        assert word in out


def test_decisions_lists_fired_and_held_with_a_schema(demo_project: Path) -> None:
    config = str(demo_project / "retrigger.yaml")
    empty = run_cli("decisions", "-c", config)
    assert empty.code == 0 and empty.out.startswith("no decisions yet")
    project.degrade(demo_project)
    project.monitor(demo_project)
    first = json.loads(run_cli("check", "-c", config, "--json").out)
    second = json.loads(run_cli("check", "-c", config, "--json").out)

    listed = run_cli("decisions", "-c", config, "--json", "--since", "1d")

    document = json.loads(listed.out)
    assert document["schema"] == "retrigger/decisions/v1"
    states = {d["decision_id"]: d["state"] for d in document["decisions"]}
    # The first fired but nobody ran it; the second fired too and superseded it.
    assert states == {first["decision_id"]: "superseded", second["decision_id"]: "fired"}
    assert document["decisions"][0]["decision_id"] == second["decision_id"]  # newest first
    table = run_cli("decisions", "-c", config).out
    assert "decisions, newest first" in table and "superseded" in table


def test_decisions_with_a_bad_since_is_a_usage_error(demo_project: Path) -> None:
    result = run_cli("decisions", "-c", str(demo_project / "retrigger.yaml"), "--since", "soon")

    assert result.code == 2
    assert "--since 'soon'" in result.err


def test_quiet_check_prints_the_result_and_no_spinner(demo_project: Path) -> None:
    result = run_cli("-q", "check", "-c", str(demo_project / "retrigger.yaml"))

    assert result.code == 0, result.err
    assert "no retrain needed" in result.out
    assert result.err == ""
