"""The GitLab CI file `retrigger init --ci gitlab` writes: its structure (YAML, jobs, rules,
needs, resource_group, the dotenv report), and that the variables the retrain job reads are the
ones `retrigger check --gitlab-dotenv` writes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import brought, retrain
from tests.support.cli import run_cli
from tests.support.retrain import record_first_baseline

# The demo project after new data made the check fire, with a local DVC remote (session-built).
degraded_template = retrain.degraded_template

NEVER_OWN_BRANCHES = {"if": "$CI_COMMIT_BRANCH =~ /^retrigger\\//", "when": "never"}


# DVC's example-get-started, as brought to `retrigger init` (session-built, copied).
get_started_template = brought.get_started_template


@pytest.fixture
def project(get_started_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = brought.copy(get_started_template, tmp_path)
    (root / ".gitlab-ci.yml").write_text("report:\n  script: [cml ci]\n")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def written(project: Path) -> tuple[dict[str, Any], str]:
    result = run_cli("init", "--ci", "gitlab")
    assert result.code == 0, result.err
    return yaml.safe_load((project / ".gitlab/retrigger.yml").read_text()), result.out


def test_included_with_one_line_and_the_users_file_is_never_touched(
    project: Path, written: tuple[dict[str, Any], str]
) -> None:
    _, out = written

    assert "include: [{local: .gitlab/retrigger.yml}]" in out
    assert (project / ".gitlab-ci.yml").read_text() == "report:\n  script: [cml ci]\n"
    included = yaml.safe_load("include: [{local: .gitlab/retrigger.yml}]")["include"]
    assert (project / included[0]["local"]).is_file()


def test_runs_for_schedules_and_by_hand_never_for_its_own_branches(
    written: tuple[dict[str, Any], str],
) -> None:
    ci, _ = written
    base = ci[".retrigger"]

    assert base["rules"][0] == NEVER_OWN_BRANCHES
    assert {r["if"] for r in base["rules"][1:]} == {
        '$CI_PIPELINE_SOURCE == "schedule"',
        '$CI_PIPELINE_SOURCE == "web"',
    }
    assert ci["variables"]["DECISION_ID"]["value"] == ""
    assert "description" in ci["variables"]["DECISION_ID"]
    check = ci["retrigger-check"]
    assert check["extends"] == ".retrigger" and check["rules"][0] == NEVER_OWN_BRANCHES
    assert {"if": "$DECISION_ID || $FORCE_REASON", "when": "never"} in check["rules"]
    assert ci["retrigger-retrain"]["extends"] == ".retrigger"  # same rules, never on push
    assert not any("push" in str(rule) for rule in base["rules"])


def test_the_decision_travels_as_a_dotenv_report_to_one_retrain_at_a_time(
    written: tuple[dict[str, Any], str],
) -> None:
    ci, _ = written
    check, retrain = ci["retrigger-check"], ci["retrigger-retrain"]

    assert "retrigger check --gitlab-dotenv retrigger.env" in check["script"]
    assert check["artifacts"]["reports"]["dotenv"] == "retrigger.env"
    assert retrain["needs"] == [{"job": "retrigger-check", "optional": True, "artifacts": True}]
    assert retrain["resource_group"] == "retrigger-text-classification"
    assert (check["stage"], retrain["stage"]) == ("test", "deploy")
    script = "\n".join(retrain["script"])
    assert "git push" in script and "refs/heads/$branch" in script
    assert "/merge_requests" in script and "target_branch=$CI_DEFAULT_BRANCH" in script
    assert 'retrigger explain "$decision" --markdown' in script


def test_the_variables_the_retrain_reads_are_the_ones_check_writes(
    project: Path, written: tuple[dict[str, Any], str], tmp_path: Path
) -> None:
    ci, _ = written
    dotenv = tmp_path / "out" / "retrigger.env"

    result = run_cli("check", "--gitlab-dotenv", str(dotenv))

    assert result.code == 0, result.err
    values = dict(line.split("=", 1) for line in dotenv.read_text().splitlines())
    assert values["CHECK_RETRAIN"] == "false" and values["CHECK_DECISION_ID"].startswith("d-")
    read = set(re.findall(r"\$\{?(CHECK_\w+)", "\n".join(ci["retrigger-retrain"]["script"])))
    assert read and read <= set(values)


def test_a_folder_for_the_dotenv_is_refused_before_anything_is_decided(
    project: Path, written: tuple[dict[str, Any], str], tmp_path: Path
) -> None:
    result = run_cli("check", "--gitlab-dotenv", str(tmp_path))

    assert result.code == 2 and "is a folder" in result.err
    assert not (project / ".retrigger").exists()


# A stub `curl`: records its argv, one argument a line, and keeps the description file it read.
CURL_STUB = """#!/bin/sh
printf '%s\\n' "$@" > "$CURL_RECORD"
for arg in "$@"; do
  case "$arg" in description@*) cp "${arg#description@}" "$CURL_RECORD.body" ;; esac
done
echo '{"web_url": "https://gitlab.example/acme/project/-/merge_requests/1"}'
"""


def _git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _run_script(lines: list[str], cwd: Path, env: dict[str, str]) -> None:
    """One job's before_script (minus the installs) and script in one shell, as a runner does."""
    installs = ("pip install", "uv tool install", "python -m venv")
    wanted = [line for line in lines if not any(step in line for step in installs)]
    result = subprocess.run(
        ["bash", "-e", "-c", "\n".join(wanted)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-1500:] + result.stderr[-2000:]


@pytest.mark.slow
def test_a_scheduled_pipeline_retrains_and_opens_a_merge_request(
    degraded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(shutil.copytree(degraded_template, tmp_path / "project", symlinks=True))
    (tmp_path / "remote").mkdir()
    (root / "retrigger.yaml").rename(tmp_path / "demo.yaml")
    monkeypatch.chdir(root)
    assert run_cli("init", "--ci", "gitlab").code == 0
    (tmp_path / "demo.yaml").replace(root / "retrigger.yaml")
    from retrigger.workspace import Workspace

    workspace = Workspace.load(root / "retrigger.yaml")
    record_first_baseline(workspace)
    workspace.store.close()
    subprocess.run([str(Path(sys.executable).parent / "dvc"), "push", "-q"], cwd=root, check=True)
    _git(tmp_path, "init", "-q", "--bare", "origin.git")
    _git(root, "push", "-q", str(tmp_path / "origin.git"), "HEAD:refs/heads/main")
    sha = _git(root, "rev-parse", "HEAD")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "curl").write_text(CURL_STUB)
    (tmp_path / "bin" / "curl").chmod(0o755)
    env = {
        **os.environ,
        "CI_PIPELINE_SOURCE": "schedule",
        "CI_COMMIT_SHA": sha,
        "CI_DEFAULT_BRANCH": "main",
        "CI_SERVER_HOST": "gitlab.example",
        "CI_API_V4_URL": "https://gitlab.example/api/v4",
        "CI_PROJECT_ID": "7",
        "GITLAB_TOKEN": "glpat-test",
        "GITLAB_USER_LOGIN": "octocat",
        "RETRAIN_PUSH_URL": str(tmp_path / "origin.git"),
        "CURL_RECORD": str(tmp_path / "curl-argv"),
        "DECISION_ID": "",
        "FORCE_REASON": "",
        "PATH": os.pathsep.join(
            [str(tmp_path / "bin"), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
    }
    ci = yaml.safe_load((root / ".gitlab/retrigger.yml").read_text())
    before = ci[".retrigger"]["before_script"]

    _run_script(before + ci["retrigger-check"]["script"], root, env)
    dotenv = dict(line.split("=", 1) for line in (root / "retrigger.env").read_text().splitlines())
    _run_script(before + ci["retrigger-retrain"]["script"], root, {**env, **dotenv})

    decision_id = dotenv["CHECK_DECISION_ID"]
    assert dotenv["CHECK_RETRAIN"] == "true"
    origin = tmp_path / "origin.git"
    assert _git(origin, "rev-parse", "refs/heads/main") == sha  # never pushed to main
    changed = _git(origin, "diff", "--name-only", sha, f"refs/heads/retrigger/{decision_id}")
    assert "dvc.lock" in changed.split()
    argv = (tmp_path / "curl-argv").read_text().splitlines()
    assert argv[-1] == "https://gitlab.example/api/v4/projects/7/merge_requests"
    assert f"source_branch=retrigger/{decision_id}" in argv
    assert "target_branch=main" in argv and "PRIVATE-TOKEN: glpat-test" in argv
    body = (tmp_path / "curl-argv.body").read_text()
    assert "### Champion vs challenger" in body and decision_id in body
