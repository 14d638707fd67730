"""Hostile or broken files cost milliseconds and end in one line with exit 2, never a traceback.

The cases are the ones a fault-injection run found: a YAML alias bomb and list bomb, duplicate
keys that silently turned approvals off, config paths outside the repository, and metrics JSON
nested past Python's recursion limit or holding a 5000-digit number.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from retrigger.config import load_config
from retrigger.errors import BadInput, ConfigError
from retrigger.metrics_file import read_metric
from tests.support.cli import run_cli

MODEL = "model:\n  name: churn\n"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "retrigger.yaml"
    path.write_text(text)
    return path


def _alias_bomb(levels: int) -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, levels):
        refs = ",".join([f"*{chr(96 + level)}"] * 10)
        lines.append(f"{chr(97 + level)}: &{chr(97 + level)} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_fast_without_memory(tmp_path: Path) -> None:
    bomb = _config(tmp_path, _alias_bomb(9) + MODEL + "data: *i\n")  # 10**9 strings
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()

    with pytest.raises(ConfigError) as caught:
        load_config(bomb, environ={})

    assert time.monotonic() - started < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB
    assert "aliases expand to more than" in str(caught.value)
    assert len(str(caught.value)) < 300


def test_small_merges_still_work(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        "model: &m {name: churn}\nsignals:\n"
        "  performance:\n    <<: {min: 0.5, max_drop: 0.1}\n    min: 0.8\n",
    )

    loaded = load_config(path, environ={})

    assert loaded.config.signals.performance is not None
    assert loaded.config.signals.performance.min == 0.8  # own key overrides the merged one
    assert loaded.config.signals.performance.max_drop == 0.1


def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path) -> None:
    path = _config(
        tmp_path, MODEL + "policy:\n  approval: required\n  cooldown: 1h\n  approval: none\n"
    )

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    message = str(caught.value)
    assert "line 6" in message and "first at line 4" in message
    assert "policy.approval" in message


def test_duplicate_top_level_sections_are_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, MODEL + "model:\n  name: other\n")

    with pytest.raises(ConfigError, match=r"line 3: duplicate key 'model' \(first at line 1\)"):
        load_config(path, environ={})


def test_the_config_check_refuses_duplicates_with_exit_2(tmp_path: Path) -> None:
    path = _config(tmp_path, MODEL + "policy:\n  approval: required\n  approval: none\n")

    result = run_cli("config", "validate", "--config", str(path))

    assert result.code == 2
    assert "duplicate key 'policy.approval'" in result.err
    assert "Traceback" not in result.err


def test_a_huge_value_is_echoed_only_in_part(tmp_path: Path) -> None:
    path = _config(tmp_path, MODEL + f"policy:\n  cooldown: {'9' * 100_000}x\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    assert "policy.cooldown" in str(caught.value)
    assert len(str(caught.value)) < 700


def test_a_file_too_large_for_a_config_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, MODEL + "# padding\n" * 40_000)

    with pytest.raises(ConfigError, match="larger than 256 KiB"):
        load_config(path, environ={})


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, MODEL + "data: " + "[" * 5000 + "]" * 5000 + "\n")

    with pytest.raises(ConfigError, match="nested"):
        load_config(path, environ={})


@pytest.mark.parametrize(
    "key,value",
    [
        ("model.metrics_file", "/etc/passwd"),
        ("model.metrics_file", "../outside.json"),
        ("model.artifact", "/tmp/model"),
        ("model.artifact", "~/model"),
        ("data", "../elsewhere"),
    ],
)
def test_paths_outside_the_repository_are_refused(tmp_path: Path, key: str, value: str) -> None:
    if key == "data":
        text = MODEL + f"data: [{value!r}]\n"
    else:
        text = f"model:\n  name: churn\n  {key.split('.')[1]}: {value!r}\n"

    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, text), environ={})

    assert "must be a path inside the repository" in str(caught.value)
    assert key in str(caught.value)


@pytest.mark.parametrize(
    "content,problem",
    [
        ("[" * 100_000 + "]" * 100_000, "nested more than 64 levels"),
        ('{"a":' * 3000 + "1" + "}" * 3000, "nested more than 64 levels"),
        ('{"accuracy": ' + "9" * 5000 + "}", "digits"),
        ('{"accuracy": 0.9', "Expecting"),
        (b"\xff\xfe{}", "utf-8"),
    ],
)
def test_hostile_metrics_files_are_bad_input_naming_the_file(
    tmp_path: Path, content: str | bytes, problem: str
) -> None:
    path = tmp_path / "metrics.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)

    with pytest.raises(BadInput) as caught:
        read_metric(path, "accuracy")

    assert str(path) in str(caught.value)
    assert problem in str(caught.value)
    assert len(str(caught.value)) < 500


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    path.write_text('{"note": "' + "[" * 200 + '", "accuracy": 0.9}')

    assert read_metric(path, "accuracy") == 0.9


def test_a_hostile_metrics_file_makes_check_exit_2(demo_project: Path) -> None:
    (demo_project / "metrics.json").write_text("[" * 100_000 + "]" * 100_000)

    result = run_cli("check", "--config", str(demo_project / "retrigger.yaml"))

    assert result.code == 2, result.err
    assert "metrics.json" in result.err and "nested" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_metrics_file_symlinked_out_of_the_repository_makes_check_exit_2(
    demo_project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_text('{"accuracy": 0.99}')
    (demo_project / "metrics.json").unlink()
    (demo_project / "metrics.json").symlink_to(outside)

    result = run_cli("check", "--config", str(demo_project / "retrigger.yaml"))

    assert result.code == 2, result.err
    assert "leads outside the repository" in result.err and "model.metrics_file" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_an_unknown_tracking_scheme_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    config = _config(tmp_path, MODEL + "tracking:\n  uri: bogus://x\n")

    result = run_cli("check", "--config", str(config))

    assert result.code == 2
    assert "tracking.uri" in result.err and "bogus" in result.err
    assert "unexpected" not in result.err and len(result.err.strip().splitlines()) == 1


def test_a_state_file_that_is_not_sqlite_names_state_url(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("these are my notes, not a database\n" * 10)
    config = _config(tmp_path, MODEL + "state:\n  url: sqlite:///notes.db\n")

    result = run_cli("status", "--config", str(config))

    assert result.code == 2
    assert "state.url" in result.err and "not a database" in result.err
    assert "unexpected" not in result.err and len(result.err.strip().splitlines()) == 1


def test_a_nul_byte_in_the_config_names_its_line(tmp_path: Path) -> None:
    config = _config(tmp_path, MODEL + "tracking:\n  experiment: ch\x00urn\n")

    result = run_cli("check", "--config", str(config))

    assert result.code == 2
    assert "retrigger.yaml line 4" in result.err and "#x0000" in result.err
    assert "unexpected" not in result.err and len(result.err.strip().splitlines()) == 1
