"""`retrigger init`: what it writes, what it refuses, and that refusing writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from retrigger.config import load_config
from tests.support import git_dvc
from tests.support.cli import run_cli

# Fixtures: a small committed git + DVC project, built once per session and copied.
git_dvc_template = git_dvc.git_dvc_template
git_dvc_project = git_dvc.git_dvc_project

ALWAYS = {
    "retrigger.yaml",
    "retrigger.schema.json",
    "slack-app-manifest.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1]
    }


def test_init_writes_a_valid_commented_config_and_every_file(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (git_dvc_project / "metrics.json").write_text('{"accuracy": 0.91}\n')
    (git_dvc_project / "dvc.yaml").write_text(
        "stages:\n  train:\n    cmd: python train.py\n    deps: [data/train.csv]\n"
        "    outs: [model]\n    metrics: [metrics.json]\n"
    )
    monkeypatch.chdir(git_dvc_project)

    result = run_cli("init", "--ci", "github", "--ci", "gitlab", "--ci", "airflow", "--ci", "k8s")

    assert result.code == 0, result.err
    written = {
        ".github/workflows/retrain.yml",
        ".gitlab/retrigger.yml",
        "RETRAINING.md",
        "airflow/dags/retrain_project.py",
        "k8s/retrigger-cronjob.yaml",
    } | ALWAYS
    for path in written:
        assert (git_dvc_project / path).is_file(), path
        assert path in result.out
    config = load_config(git_dvc_project / "retrigger.yaml").config
    assert config.model.name == "project"
    assert config.data == ["data/train.csv"]  # found from the .dvc file git tracks
    # The floor comes from the model as it is (accuracy 0.91), not a number for every project.
    assert config.signals.performance is not None and config.signals.performance.min == 0.86
    text = (git_dvc_project / "retrigger.yaml").read_text()
    assert "min: 0.86   # 5% below the current accuracy (0.91 in metrics.json), rounded" in text
    # Plain words for whoever tunes the thresholds, next to each number.
    assert "falls below min" in text and "5% below the baseline" in text
    assert "RETRIGGER_SIGNALS__PERFORMANCE__MIN" in text
    assert json.loads((git_dvc_project / "metrics.json").read_text()) == {"accuracy": 0.91}
    assert "include: [{local: .gitlab/retrigger.yml}]" in result.out
    assert "accuracy falls below 0.86" in (git_dvc_project / "RETRAINING.md").read_text()


def test_init_defaults_to_github_and_prints_json(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(git_dvc_project)

    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    document = json.loads(result.out)
    actions = {f["path"]: f["action"] for f in document["files"]}
    assert set(actions) == ALWAYS | {".github/workflows/retrain.yml", "RETRAINING.md"}
    # No dvc.yaml: the metric is an open question, so the policy in words waits for it (and
    # init does not say it "kept" a file that is not there).
    assert actions.pop("RETRAINING.md") == "not written"
    assert set(actions.values()) == {"created"}
    assert document["undecided"] and not (git_dvc_project / "RETRAINING.md").exists()
    # No current value to start from: no fixed floor that would fire on the first check.
    raw = yaml.safe_load((git_dvc_project / "retrigger.yaml").read_text())
    assert raw["signals"]["performance"] == {"max_drop": 0.05}
    assert not (git_dvc_project / "k8s").exists()


def test_precommit_hooks_are_local_entries_that_pre_commit_accepts(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(git_dvc_project)
    assert run_cli("init").code == 0
    config = git_dvc_project / ".pre-commit-config.yaml"

    repos = yaml.safe_load(config.read_text())["repos"]
    ids = {hook["id"] for repo in repos if repo["repo"] == "local" for hook in repo["hooks"]}
    assert {"retrigger-data-delta", "retrigger-config-check"} <= ids
    pre_commit = str(Path(sys.executable).parent / "pre-commit")
    validated = subprocess.run(
        [pre_commit, "validate-config", str(config)], capture_output=True, text=True, check=False
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_an_existing_precommit_config_is_kept_and_extended(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = (
        "# my hooks\nrepos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n"
        "    hooks:\n      - id: black\n"
    )
    (git_dvc_project / ".pre-commit-config.yaml").write_text(mine)
    monkeypatch.chdir(git_dvc_project)

    assert run_cli("init").code == 0
    assert run_cli("init", "--force").code == 0  # a second init adds nothing twice

    text = (git_dvc_project / ".pre-commit-config.yaml").read_text()
    assert text.startswith(mine)
    assert text.count("id: retrigger-data-delta") == 1


def test_existing_files_are_refused_and_nothing_at_all_is_written(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (git_dvc_project / "slack-app-manifest.yml").write_text("mine: true\n")
    (git_dvc_project / ".github" / "workflows").mkdir(parents=True)
    (git_dvc_project / ".github" / "workflows" / "retrain.yml").write_text("name: mine\n")
    before = _tree(git_dvc_project)
    monkeypatch.chdir(git_dvc_project)

    result = run_cli("init")

    assert result.code == 2
    assert "slack-app-manifest.yml" in result.err and ".github/workflows/retrain.yml" in result.err
    assert "--force" in result.err and len(result.err.strip().splitlines()) == 1
    assert _tree(git_dvc_project) == before


def test_force_overwrites_keeps_a_backup_and_the_pipelines_metrics(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (git_dvc_project / "retrigger.yaml").write_text("model: {name: old}\n")
    (git_dvc_project / "metrics.json").write_text('{"f1": 0.7}\n')
    (git_dvc_project / "dvc.yaml").write_text("metrics: [metrics.json]\n")
    monkeypatch.chdir(git_dvc_project)

    result = run_cli("init", "--force")

    assert result.code == 0, result.err
    assert load_config(git_dvc_project / "retrigger.yaml").config.model.metric == "f1"
    assert (git_dvc_project / "metrics.json").read_text() == '{"f1": 0.7}\n'
    assert (git_dvc_project / "retrigger.yaml.bak").read_text() == "model: {name: old}\n"
    assert "overwritten  retrigger.yaml" in result.out


def test_unknown_ci_lists_the_valid_ones(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(git_dvc_project)

    result = run_cli("init", "--ci", "jenkins")

    assert result.code == 2
    assert "github, gitlab, airflow, k8s" in result.err
    assert not (git_dvc_project / "retrigger.yaml").exists()


def test_outside_git_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = run_cli("init")

    assert result.code == 2
    assert "not inside a git repository" in result.err
    assert list(tmp_path.iterdir()) == []


def test_git_without_dvc_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)

    result = run_cli("init")

    assert result.code == 2
    assert "dvc init" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git"]
