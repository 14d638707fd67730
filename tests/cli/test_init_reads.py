"""`init` writes what the project already says instead of a guess: the performance floor from
the metric as it is now, `flavor: sklearn` for a pickled scikit-learn model, and only `Next:`
commands that exist on this machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrigger.config import load_config
from tests.support import brought as projects
from tests.support.cli import run_cli

get_started_template = projects.get_started_template


@pytest.fixture
def get_started(
    get_started_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    root = projects.copy(get_started_template, tmp_path)
    monkeypatch.chdir(root)
    return root


def test_the_floor_is_5_percent_below_the_current_metric_and_the_pickle_is_sklearn(
    get_started: Path,
) -> None:
    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    config = load_config(get_started / "retrigger.yaml").config
    assert config.signals.performance is not None
    assert config.signals.performance.min == 0.91  # roc_auc.test is 0.96: 0.912, rounded down
    assert config.model.artifact == "model.pkl" and config.model.flavor == "sklearn"
    text = (get_started / "retrigger.yaml").read_text()
    assert "5% below the current roc_auc.test (0.96 in eval/metrics.json)" in text
    found = json.loads(result.out)["found"]
    assert any("model.flavor: sklearn" in line for line in found)
    assert run_cli("config", "validate").code == 0


def test_next_names_retriggers_own_hook_installer_without_pre_commit(
    get_started: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no pre-commit on this machine

    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    steps = json.loads(result.out)["next"]
    assert any(step.startswith("retrigger hooks install") for step in steps), steps
    assert not any(step.startswith("pre-commit install") for step in steps)
