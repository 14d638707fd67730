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
    from retrigger.commands import config as command

    effective = command.show(config)
    if json_output:
        render.print_document("config", {"path": str(effective.path), "values": effective.values,
                           "sources": effective.sources})
        return
    render.table(f"effective config ({effective.path})", ["key", "value", "from"],
                 [[key, _text(value), effective.sources[key]]
                  for key, value in effective.values.items()])


@config_app.command("validate")
def validate(config: ConfigOption = None) -> None:
    """Exit 0 when the config is valid; otherwise say which key is wrong and exit 2."""
    from retrigger.commands import config as command

    validated = command.validate(config)
    render.line(f"{validated.path}: valid")
    for note in validated.notes:
        render.line(f"note: {note}")


def _text(value: Any) -> str:
    """A value as it would read in retrigger.yaml: true, null, [a, b], {k: v}."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    return str(value)
