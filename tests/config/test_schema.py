"""`retrigger config schema`: the JSON Schema editors check retrigger.yaml against.

The schema is read as an editor would (the file init writes, through the `jsonschema` library);
what it accepts and refuses is held against what `config validate` accepts and refuses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from retrigger.config import load_config
from retrigger.config.schema import keys
from retrigger.errors import RetriggerError
from tests.support import git_dvc
from tests.support.cli import run_cli

git_dvc_template = git_dvc.git_dvc_template
git_dvc_project = git_dvc.git_dvc_project


def _schema() -> dict[str, Any]:
    result = run_cli("config", "schema")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def _errors(schema: dict[str, Any], document: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@pytest.fixture
def initialised(git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (git_dvc_project / "metrics.json").write_text('{"accuracy": 0.91}\n')
    (git_dvc_project / "dvc.yaml").write_text(
        "stages:\n  train:\n    cmd: python train.py\n    deps: [data/train.csv]\n"
        "    outs: [model]\n    metrics: [metrics.json]\n"
    )
    monkeypatch.chdir(git_dvc_project)
    result = run_cli("init")
    assert result.code == 0, result.err
    return git_dvc_project


def test_init_names_the_schema_on_the_first_line_and_writes_it(initialised: Path) -> None:
    text = (initialised / "retrigger.yaml").read_text()

    assert text.splitlines()[0] == "# yaml-language-server: $schema=retrigger.schema.json"
    written = json.loads((initialised / "retrigger.schema.json").read_text())
    assert written == _schema()  # the file the line names is what `config schema` prints


def test_the_generated_config_validates_against_the_schema(initialised: Path) -> None:
    document = yaml.safe_load((initialised / "retrigger.yaml").read_text())
    schema = json.loads((initialised / "retrigger.schema.json").read_text())

    jsonschema.Draft202012Validator.check_schema(schema)
    assert _errors(schema, document) == []
    load_config(initialised / "retrigger.yaml")  # and retrigger itself agrees


@pytest.mark.parametrize(
    ("section", "key", "value", "where"),
    [
        ("policy", "cooldown", [24], "policy.cooldown"),  # a list where a duration goes
        ("policy", "cooldown", "a day", "policy.cooldown"),  # not 90s/90m/24h/30d/2w
        ("policy", "approval", "sometimes", "policy.approval"),  # not none | required
        ("pipeline", "push", "maybe", "pipeline.push"),  # not a boolean
        ("policy", "cooldwn", "24h", "policy"),  # a typo: unknown keys are refused
    ],
)
def test_a_wrong_value_is_reported_by_the_schema_as_by_validate(
    initialised: Path, section: str, key: str, value: Any, where: str
) -> None:
    path = initialised / "retrigger.yaml"
    document = yaml.safe_load(path.read_text())
    document.setdefault(section, {})[key] = value

    errors = _errors(_schema(), document)

    assert [e for e in errors if e.startswith(f"{where}:")], errors
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(RetriggerError):  # the same file is refused by retrigger itself
        load_config(path)


def test_durations_are_written_as_retrigger_reads_them() -> None:
    schema = _schema()
    policy = {"model": {"name": "churn"}, "policy": {"cooldown": "24h", "retry_backoff": 90}}

    assert _errors(schema, policy) == []
    cooldown = schema["$defs"]["PolicyConfig"]["properties"]["retry_backoff"]
    assert cooldown["default"] == "1h"  # not pydantic's ISO 8601 "PT1H"


def test_every_key_has_a_type_and_a_description() -> None:
    listed = keys()

    undescribed = [k.key for k in listed if not k.description]
    assert undescribed == []
    assert all(k.type for k in listed)
    # Sections first, each key under its section, nested ones included.
    names = [k.key for k in listed]
    assert names.index("policy") < names.index("policy.max_retrains.per")
    assert "events.watch.prefix" in names


def test_no_description_is_kept_for_a_key_that_is_gone() -> None:
    from retrigger.config.schema import DESCRIPTIONS

    assert set(DESCRIPTIONS) - {k.key for k in keys()} == set()


def test_validate_notes_a_schema_file_an_older_retrigger_wrote(initialised: Path) -> None:
    schema_file = initialised / "retrigger.schema.json"
    older = json.loads(schema_file.read_text())
    del older["properties"]["events"]  # as written before `events:` existed
    schema_file.write_text(json.dumps(older))

    result = run_cli("config", "validate")

    assert result.code == 0, result.err
    assert "refresh it: retrigger config schema > retrigger.schema.json" in result.out
    schema_file.write_text(run_cli("config", "schema").out)
    assert "retrigger.schema.json" not in run_cli("config", "validate").out
