"""The references the documentation site generates from the code (scripts/mkdocs_reference.py):
every command with its options and defaults, every configuration key with its default."""

from __future__ import annotations

import importlib.util
import re
import types
import typing
from pathlib import Path

from pydantic import BaseModel

from retrigger.cli.main import app
from retrigger.config.models import RetriggerConfig

ROOT = Path(__file__).resolve().parents[2]


def _hook() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        "mkdocs_reference", ROOT / "scripts" / "mkdocs_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(page: str, first_cell: str) -> list[str]:
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell} in the page")


def _section(page: str, heading: str) -> str:
    start = page.index(f"## `{heading}`\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end != -1 else None]


def test_the_cli_reference_lists_every_command_with_its_options() -> None:
    page = _hook().cli_reference()

    commands = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]
    groups = [g.name for g in app.registered_groups if g.name]
    assert commands and groups
    for name in [*commands, *groups]:
        assert f"## `retrigger {name}`" in page, name
    assert "## `retrigger config schema`" in page
    assert _row(_section(page, "retrigger bot"), "`--port`")[2] == "`3000`"
    assert _row(_section(page, "retrigger drift"), "`--share`")[2] == "`0.5`"
    assert _row(_section(page, "retrigger drift"), "`REFERENCE`")[2] == "required"
    check = _section(page, "retrigger check")
    assert "Read the signals" in check  # the command's own help
    assert _row(check, "`--config`, `-c`")[3].startswith("Path to retrigger.yaml")


def _leaf_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every key of the config, walked from the pydantic models themselves."""
    found = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        found.append(key)
        inner = [
            a for a in (typing.get_args(field.annotation) or (field.annotation,)) if a is not None
        ]
        for candidate in inner:
            for arg in (candidate, *typing.get_args(candidate)):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    found += _leaf_keys(arg, f"{key}.")
    return found


def test_the_configuration_reference_lists_every_key_with_its_default() -> None:
    page = _hook().config_reference()

    listed = set(re.findall(r"^\| `([a-z0-9_.]+)` \|", page, re.MULTILINE))
    assert set(_leaf_keys(RetriggerConfig)) - listed == set()
    assert _row(page, "`policy.retry_backoff`")[1:3] == ["duration", "`1h`"]
    assert _row(page, "`slack.channel`")[2] == "`#ml-ops`"
    assert _row(page, "`model.name`")[2] == "required"
    assert _row(page, "`signals.drift`")[2] == "absent"
