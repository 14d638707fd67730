"""retrigger.yaml: validation messages a user can act on, env overrides, and `config show`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from retrigger.config import load_config
from retrigger.errors import ConfigError
from tests.support.cli import run_cli

VALID = """\
model:
  name: churn
signals:
  performance: {min: 0.85, max_drop: 0.05}
  schedule: {max_age: 30d}
policy:
  cooldown: 24h
  max_retrains: {count: 3, per: 7d}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "retrigger.yaml"
    path.write_text(text)
    return path


def test_valid_config_parses_durations_and_defaults(tmp_path: Path) -> None:
    loaded = load_config(_write(tmp_path, VALID), environ={})

    config = loaded.config
    assert config.signals.schedule is not None
    assert config.signals.schedule.max_age == timedelta(days=30)
    assert config.policy.cooldown == timedelta(hours=24)
    assert config.signals.volume is None  # absent section: not evaluated
    assert config.tracking.uri == "sqlite:///mlflow.db"


def test_environment_overrides_a_nested_key_and_says_so(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)

    loaded = load_config(
        path,
        environ={
            "RETRIGGER_SIGNALS__PERFORMANCE__MIN": "0.9",
            "RETRIGGER_POLICY__FIRE_WHEN": "all",
        },
    )

    assert loaded.config.signals.performance is not None
    assert loaded.config.signals.performance.min == 0.9
    assert loaded.config.policy.fire_when == "all"
    assert loaded.sources["signals.performance.min"] == "env RETRIGGER_SIGNALS__PERFORMANCE__MIN"


def test_an_empty_environment_variable_counts_as_unset(tmp_path: Path) -> None:
    loaded = load_config(
        _write(tmp_path, VALID),
        environ={"RETRIGGER_TRACKING__URI": "", "RETRIGGER_POLICY__COOLDOWN": " "},
    )

    assert loaded.config.tracking.uri == "sqlite:///mlflow.db"
    assert loaded.sources["policy.cooldown"] == "retrigger.yaml:7"


def test_environment_can_enable_a_whole_signal(tmp_path: Path) -> None:
    loaded = load_config(
        _write(tmp_path, VALID + "data: [data/train.csv]\n"),
        environ={"RETRIGGER_SIGNALS__VOLUME": "{min_new_rows: 500}"},
    )

    assert loaded.config.signals.volume is not None
    assert loaded.config.signals.volume.min_new_rows == 500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            VALID.replace("max_drop", "max_dorp"),
            "unknown config key 'signals.performance.max_dorp' (retrigger.yaml:4); "
            "did you mean 'signals.performance.max_drop'?",
        ),
        (
            VALID.replace("{min: 0.85, max_drop: 0.05}", "{min: 0.85, max_drop: 0.05"),
            "retrigger.yaml line 5: YAML syntax error",
        ),
        (VALID.replace("max_drop: 0.05", "max_drop: 1.5"), "must be between 0 and 1 exclusive"),
        (VALID.replace("max_drop: 0.05", "max_drop: 0"), "must be between 0 and 1 exclusive"),
        (VALID.replace("cooldown: 24h", "cooldown: -3d"), "a duration cannot be negative"),
        (VALID.replace("cooldown: 24h", "cooldown: soon"), "expected a duration like 90m"),
        (VALID.replace("min: 0.85", "min: high"), "invalid config key 'signals.performance.min'"),
        (
            VALID.replace("count: 3", "count: three"),
            "invalid config key 'policy.max_retrains.count'",
        ),
        ("model: {}\n", "config key 'model.name' is required"),
        ("- a\n- b\n", "top level must be a mapping"),
        (
            VALID.replace("signals:\n", "signals:\n  drift: {share: 0.5}\n"),
            "signals.drift needs data to compare",
        ),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text), environ={})

    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="env RETRIGGER_POLICY__FIRE_WHEN"):
        load_config(_write(tmp_path, VALID), environ={"RETRIGGER_POLICY__FIRE_WHEN": "some"})


def test_config_validate_exits_2_on_an_invalid_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        VALID.replace("fire_when", "fire_wen").replace("policy:\n", "policy:\n  fire_wen: any\n"),
    )

    result = run_cli("config", "validate", "--config", str(path))

    assert result.code == 2
    assert "did you mean 'policy.fire_when'" in result.err


def test_config_show_json_reports_each_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, VALID)
    monkeypatch.setenv("RETRIGGER_POLICY__COOLDOWN", "2h")

    result = run_cli("config", "show", "--config", str(path), "--json")

    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["values"]["policy.cooldown"] == "2h"
    assert document["sources"]["policy.cooldown"] == "env RETRIGGER_POLICY__COOLDOWN"
    assert document["sources"]["signals.performance.min"] == "retrigger.yaml:4"
    assert document["sources"]["tracking.uri"] == "default"
    assert document["values"]["signals.schedule.max_age"] == "30d"


def test_config_show_prints_durations_as_written_and_values_as_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID.replace("max_age: 30d", "max_age: 720h"))

    shown = run_cli("config", "show", "--config", str(path))
    document = json.loads(run_cli("config", "show", "--config", str(path), "--json").out)

    assert document["schema"] == "retrigger/config/v1"
    assert document["values"]["signals.schedule.max_age"] == "720h"  # not rewritten as 30d
    assert document["values"]["policy.cooldown"] == "24h"  # not 1d
    assert "720h" in shown.out and "24h" in shown.out
    for python_repr in ("True", "False", "None"):
        assert python_repr not in shown.out
