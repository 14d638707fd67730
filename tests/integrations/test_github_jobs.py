"""The generated workflow's own shell steps, run for real in order on a degraded demo project:
job `check` decides through $GITHUB_OUTPUT, job `retrain` receives the decision id through the
job outputs and retrains. GitHub's expression syntax is evaluated for the few forms the
template uses (`a || b`, property paths, `secrets.*`); `uses:` steps and the install and
`dvc pull` steps (a runner's setup) are skipped."""

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


def _run_job(job: dict[str, Any], context: dict[str, Any], cwd: Path,
             tmp: Path) -> dict[str, str]:
    """Run a job's `run:` steps in order; return its outputs as GitHub would compute them."""
    env_file, steps_out = tmp / "github_env", {}
    env_file.write_text("")
    for step in job["steps"]:
        if "run" not in step or step.get("name") in SKIPPED:
            continue
        output_file = tmp / f"output_{step.get('id', 'x')}"
        output_file.write_text("")
        exported = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        env = {**os.environ, **exported, "GITHUB_ENV": str(env_file),
               "GITHUB_OUTPUT": str(output_file), "GITHUB_ACTOR": "octocat",
               "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               **{k: _render(v, context) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env,
                                capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0, f"step {step.get('name')!r}: {result.stderr[-2000:]}"
        if "id" in step:
            outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
            steps_out[step["id"]] = {"outputs": outputs}
        context["env"] = exported
    context["steps"] = steps_out
    return {k: _render(v, context) for k, v in job.get("outputs", {}).items()}


def test_check_then_retrain_through_the_workflows_own_steps(
        degraded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(shutil.copytree(degraded_template, tmp_path / "project", symlinks=True))
    (tmp_path / "remote").mkdir()
    (root / "retrigger.yaml").rename(tmp_path / "demo.yaml")
    monkeypatch.chdir(root)
    assert run_cli("init", "--ci", "github").code == 0
    (tmp_path / "demo.yaml").replace(root / "retrigger.yaml")
    from retrigger.workspace import Workspace

    workspace = Workspace.load(root / "retrigger.yaml")
    record_first_baseline(workspace)
    workspace.store.close()
    jobs = yaml.safe_load((root / ".github/workflows/retrain.yml").read_text())["jobs"]
    # A scheduled run: no inputs, no dispatch payload, and only one secret set.
    context: dict[str, Any] = {"inputs": {}, "github": {"event": {}},
                               "secrets": {"SLACK_BOT_TOKEN": "", "MLFLOW_TRACKING_USERNAME": "ci"}}

    outputs = _run_job(jobs["check"], dict(context), root, tmp_path)

    exported = (tmp_path / "github_env").read_text()
    assert "MLFLOW_TRACKING_USERNAME=ci" in exported
    assert "SLACK_BOT_TOKEN" not in exported  # an unset secret never overrides with ""
    assert outputs["retrain"] == "true"
    assert outputs["decision_id"].startswith("d-")
    assert "performance" in outputs["trigger_types"]
    retrained = _run_job(jobs["retrain"], {**context, "needs": {"check": {"outputs": outputs}}},
                         root, tmp_path)
    assert retrained == {}
    runs = retrain.retrigger(retrain.Retrainable(root, outputs["decision_id"]), "history",
                             "--json")
    assert runs.returncode == 0, runs.stderr
    assert f'"decision_id": "{outputs["decision_id"]}"' in runs.stdout
    assert '"status": "promoted"' in runs.stdout
    assert '"requested_by": "github:octocat"' in runs.stdout  # who started the workflow
