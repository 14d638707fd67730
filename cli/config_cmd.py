"""``retrigger config show|validate``."""

from __future__ import annotations

from typing import Any

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

config_app = typer.Typer(help="Show or validate the effective configuration.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("show")
def show(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Print the effective config and where each value came from (file, env, default)."""
    from retrigger.config import load_config

    loaded = load_config(config)
    values = _flatten(loaded.config.model_dump(mode="json"))
    sources = {key: _source_of(key, loaded.sources) for key in values}
    if json_output:
        render.print_json({"path": str(loaded.path), "values": values, "sources": sources})
        return
    render.table(f"effective config ({loaded.path})", ["key", "value", "from"],
                 [[key, _text(value), sources[key]] for key, value in values.items()])


@config_app.command("validate")
def validate(config: ConfigOption = None) -> None:
    """Exit 0 when the config is valid; otherwise say which key is wrong and exit 2."""
    from retrigger.config import load_config

    loaded = load_config(config)
    render.line(f"{loaded.path}: valid")


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict) and data:
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): data}


def _source_of(key: str, sources: dict[str, str] | Any) -> str:
    # A value set in the file has its own line; one under a section set whole from the
    # environment (RETRIGGER_SIGNALS__PERFORMANCE='{min: 0.9}') inherits that variable.
    if key in sources:
        return str(sources[key])
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        found = str(sources.get(".".join(parts[:end]), ""))
        if found.startswith("env "):
            return found
    return "default"


def _text(value: Any) -> str:
    return "null" if value is None else str(value)
