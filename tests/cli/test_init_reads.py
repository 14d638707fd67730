"""`init` writes what the project already says instead of a guess: the performance floor from
the metric as it is now, `flavor: sklearn` for a pickled scikit-learn model, and only `Next:`
commands that exist on this machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

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
    hooks = next(step for step in steps if " hooks install" in step)
    # retrigger is not on this PATH either: the step names the one that runs, by its path.
    command = Path(hooks.split(" hooks install")[0])
    assert command.is_absolute() and command.is_file() and command.name == "retrigger"
    assert not any(step.startswith("pre-commit install") for step in steps)
    assert all("`retrigger " not in step for step in steps), steps


def test_a_download_stage_without_dvc_tracked_data_is_named_for_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "fetching"
    projects._start(root)
    (root / "dvc.yaml").write_text(
        "stages:\n  download:\n    cmd: python src/download.py\n    deps: [src/download.py]\n"
        "    outs: [data/raw.csv]\n  train:\n    cmd: python src/train.py\n"
        "    deps: [data/raw.csv]\n    outs: [model.pkl]\n"
    )
    monkeypatch.chdir(root)

    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    text = (root / "retrigger.yaml").read_text()
    assert yaml.safe_load(text)["data"] == []
    assert "stage download fetches data/raw.csv" in text
    found = json.loads(result.out)["found"]
    assert "data: none tracked by DVC; stage download fetches data/raw.csv" in " ".join(found)


def test_a_second_init_keeps_every_edited_value_and_fills_only_what_is_missing(
    get_started: Path,
) -> None:
    assert run_cli("init").code == 0
    config = get_started / "retrigger.yaml"
    edited = (
        config.read_text()
        .replace("name: text-classification", "name: TextClf")
        .replace("max_age: 30d", "max_age: 14d  # my team's choice")
        .replace("  champion_alias: champion", "  champion_alias: live")
    )
    # An older retrigger.yaml: no champion_alias line at all.
    edited = edited.replace("  champion_alias: live", "").replace("cooldown: 24h", "cooldown: 6h")
    config.write_text(edited)

    again = run_cli("init", "--json")

    assert again.code == 0, again.err
    raw = yaml.safe_load(config.read_text())
    assert raw["model"]["name"] == "TextClf"
    assert raw["signals"]["schedule"]["max_age"] == "14d"
    assert raw["policy"]["cooldown"] == "6h"
    assert raw["pipeline"]["champion_alias"] == "champion"  # missing: filled
    assert "# my team's choice" in config.read_text()  # comments survive
    files = {f["path"]: f for f in json.loads(again.out)["files"]}
    assert files["retrigger.yaml"]["action"] == "updated"
    assert "pipeline.champion_alias" in files["retrigger.yaml"]["why"]
    # The workflow init wrote the first time is the user's now: left as it is.
    assert files[".github/workflows/retrain.yml"]["action"] == "kept"
    third = run_cli("init", "--json")
    assert {f["path"]: f["action"] for f in json.loads(third.out)["files"]}[
        "retrigger.yaml"
    ] == "kept"
    assert yaml.safe_load(config.read_text()) == raw


def test_a_deleted_signal_block_stays_deleted_on_a_second_init(get_started: Path) -> None:
    assert run_cli("init").code == 0
    config = get_started / "retrigger.yaml"
    text = config.read_text()
    config.write_text(text.replace("  schedule:\n    max_age: 30d\n", ""))

    assert run_cli("init").code == 0

    assert "schedule" not in yaml.safe_load(config.read_text())["signals"]


@pytest.mark.parametrize(
    ("params", "source"),
    [
        (
            "train:\n  mlflow:\n    model_name: Churn_Model\n",
            "params.yaml: train.mlflow.model_name",
        ),
        (
            "train:\n  registered_model_name: Churn_Model\n",
            "params.yaml: train.registered_model_name",
        ),
    ],
)
def test_the_name_params_yaml_registers_under_wins_over_the_dvc_artifact(
    get_started: Path, params: str, source: str
) -> None:
    (get_started / "params.yaml").write_text("prepare: {split: 0.2, seed: 1}\n" + params)

    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    assert load_config(get_started / "retrigger.yaml").config.model.name == "Churn_Model"
    assert f"model.name Churn_Model: from {source}" in json.loads(result.out)["found"]
