"""The GitLab CI file `retrigger init --ci gitlab` writes: its structure (YAML, jobs, rules,
needs, resource_group, the dotenv report), and that the variables the retrain job reads are the
ones `retrigger check --gitlab-dotenv` writes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import brought
from tests.support.cli import run_cli

NEVER_OWN_BRANCHES = {"if": "$CI_COMMIT_BRANCH =~ /^retrigger\\//", "when": "never"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = brought.get_started(tmp_path / "example-get-started")
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
