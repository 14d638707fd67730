"""The generated workflow's own shell steps, run for real in order on a degraded demo project:
job `check` decides through $GITHUB_OUTPUT, job `retrain` receives the decision id through the
job outputs, retrains, and lands the new dvc.lock as a pull request: pushed to a local bare
repository standing for `origin`, opened by a stub `gh` on PATH that records its argv (GitHub
cannot be reached from here). GitHub's expression syntax is evaluated for the few forms the
template uses (`a || b`, property paths, `secrets.*`, a step's `if:` comparing one output);
`uses:` steps and the install and `dvc pull` steps (a runner's setup) are skipped."""

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

from tests.support import retrain
from tests.support.cli import run_cli
from tests.support.retrain import record_first_baseline

pytestmark = pytest.mark.slow

# The demo project after new data made the check fire, with a local DVC remote (session-built).
degraded_template = retrain.degraded_template

SKIPPED = ("Install the project and retrigger", "Fetch the data the signals read")


def _value(expression: str, context: dict[str, Any]) -> str:
    for alternative in expression.split("||"):
        node: Any = context
        for part in alternative.strip().split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node:
            return str(node)
    return ""


def _render(text: str, context: dict[str, Any]) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _value(m.group(1), context), str(text))


_STEP_IF = re.compile(r"\$\{\{ steps\.(\w+)\.outputs\.(\w+) == '([^']*)' \}\}")

# A stub `gh`: records its argv, one argument a line, and keeps the body file it was given.
GH_STUB = """#!/bin/sh
printf '%s\\n' "$@" > "$GH_RECORD"
while [ $# -gt 0 ]; do
  if [ "$1" = --body-file ]; then cp "$2" "$GH_RECORD.body"; fi
  shift
done
echo https://github.example/acme/project/pull/1
"""


def _wanted(step: dict[str, Any], steps_out: dict[str, Any]) -> bool:
    if "if" not in step:
        return True
    match = _STEP_IF.fullmatch(step["if"])
    assert match, f"the test cannot evaluate if: {step['if']}"
    step_id, name, value = match.groups()
    return bool(steps_out.get(step_id, {}).get("outputs", {}).get(name) == value)


def _run_job(job: dict[str, Any], context: dict[str, Any], cwd: Path, tmp: Path) -> dict[str, str]:
    """Run a job's `run:` steps in order; return its outputs as GitHub would compute them."""
    env_file = tmp / "github_env"
    steps_out: dict[str, Any] = {}
    env_file.write_text("")
    (tmp / "bin").mkdir(exist_ok=True)
    (tmp / "bin" / "gh").write_text(GH_STUB)
    (tmp / "bin" / "gh").chmod(0o755)
    for step in job["steps"]:
        if "run" not in step or step.get("name") in SKIPPED or not _wanted(step, steps_out):
            continue
        output_file = tmp / f"output_{step.get('id', 'x')}"
        output_file.write_text("")
        exported = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        env = {
            **os.environ,
            **exported,
            "GITHUB_ENV": str(env_file),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_ACTOR": "octocat",
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "GITHUB_SHA": context["github"]["sha"],
            "RUNNER_TEMP": str(tmp),
            "GH_RECORD": str(tmp / "gh-argv"),
            "PATH": os.pathsep.join(
                [str(tmp / "bin"), str(Path(sys.executable).parent), os.environ["PATH"]]
            ),
            **{k: _render(v, context) for k, v in step.get("env", {}).items()},
        }
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, f"step {step.get('name')!r}: {result.stderr[-2000:]}"
        if "id" in step:
            outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
            steps_out[step["id"]] = {"outputs": outputs}
            context["steps"] = steps_out
        context["env"] = exported
    context["steps"] = steps_out
    return {k: _render(v, context) for k, v in job.get("outputs", {}).items()}


def _git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _with_origin(root: Path, tmp: Path) -> str:
    """A bare repository as `origin` holding main; the commit a runner would check out."""
    _git(tmp, "init", "-q", "--bare", "origin.git")
    _git(root, "remote", "add", "origin", str(tmp / "origin.git"))
    _git(root, "push", "-q", "origin", "HEAD:refs/heads/main")
    return _git(root, "rev-parse", "HEAD")


def test_check_then_retrain_then_pull_request_through_the_workflows_own_steps(
    degraded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(shutil.copytree(degraded_template, tmp_path / "project", symlinks=True))
    (tmp_path / "remote").mkdir()
    (root / "retrigger.yaml").rename(tmp_path / "demo.yaml")
    monkeypatch.chdir(root)
    assert run_cli("init", "--ci", "github").code == 0
    (tmp_path / "demo.yaml").replace(root / "retrigger.yaml")
    sha = _with_origin(root, tmp_path)
    from retrigger.workspace import Workspace

    workspace = Workspace.load(root / "retrigger.yaml")
    record_first_baseline(workspace)
    workspace.store.close()
    jobs = yaml.safe_load((root / ".github/workflows/retrain.yml").read_text())["jobs"]
    # A scheduled run: no inputs, no dispatch payload, and only one secret set.
    github = {"event": {"repository": {"default_branch": "main"}}, "sha": sha, "token": "ghs-test"}
    context: dict[str, Any] = {
        "inputs": {},
        "github": github,
        "secrets": {"SLACK_BOT_TOKEN": "", "MLFLOW_TRACKING_USERNAME": "ci"},
    }

    outputs = _run_job(jobs["check"], dict(context), root, tmp_path)

    exported = (tmp_path / "github_env").read_text()
    assert "MLFLOW_TRACKING_USERNAME=ci" in exported
    assert "SLACK_BOT_TOKEN" not in exported  # an unset secret never overrides with ""
    assert outputs["retrain"] == "true"
    assert outputs["decision_id"].startswith("d-")
    assert "performance" in outputs["trigger_types"]
    retrained = _run_job(
        jobs["retrain"], {**context, "needs": {"check": {"outputs": outputs}}}, root, tmp_path
    )
    assert retrained == {}
    runs = retrain.retrigger(retrain.Retrainable(root, outputs["decision_id"]), "history", "--json")
    assert runs.returncode == 0, runs.stderr
    assert f'"decision_id": "{outputs["decision_id"]}"' in runs.stdout
    assert '"status": "promoted"' in runs.stdout
    assert '"requested_by": "github:octocat"' in runs.stdout  # who started the workflow
    decision_id = outputs["decision_id"]
    # The new dvc.lock arrived as a pull request from retrigger/<decision id>; main is untouched.
    origin = tmp_path / "origin.git"
    assert _git(origin, "rev-parse", "refs/heads/main") == sha
    changed = _git(origin, "diff", "--name-only", sha, f"refs/heads/retrigger/{decision_id}")
    assert "dvc.lock" in changed.split()
    message = _git(origin, "log", "-1", "--format=%s", f"refs/heads/retrigger/{decision_id}")
    assert decision_id in message and "[retrigger]" in message
    argv = (tmp_path / "gh-argv").read_text().splitlines()
    assert argv[:2] == ["pr", "create"]
    assert argv[argv.index("--base") + 1] == "main"
    assert argv[argv.index("--head") + 1] == f"retrigger/{decision_id}"
    body = (tmp_path / "gh-argv.body").read_text()
    for part in (
        "### Why",
        "| performance |",
        "### Champion vs challenger",
        "### MLflow",
        "### Data it trained on",
        f"<!-- retrigger:decision {decision_id} -->",
    ):
        assert part in body, part
    summary = (tmp_path / "summary.md").read_text()
    assert f"Decision `{decision_id}`: **RETRAIN**" in summary
    assert "**PROMOTED**" in summary
