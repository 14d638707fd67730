"""``retrigger champion set|show``: the registry version production serves."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

champion_app = typer.Typer(
    help="Adopt or show the champion (the version holding pipeline.champion_alias).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(champion_app, name="champion")


@champion_app.command("set")
def set_champion(
    version: Annotated[
        str,
        typer.Argument(
            help="Registry version of model.name (3), or models:/NAME/3 or models:/NAME@ALIAS."
        ),
    ],
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Adopt an existing version as the champion: the next retrain is judged against it."""
    from retrigger.commands.champion import set_champion as engine_set
    from retrigger.workspace import Workspace

    _show(engine_set(Workspace.load(config), version).as_json(), json_output)


@champion_app.command("show")
def show(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Show the champion version, where it came from and whether it loads with pyfunc."""
    from retrigger.commands.champion import show_champion
    from retrigger.workspace import Workspace

    found = show_champion(Workspace.load(config))
    _show(found.as_json() if found else None, json_output)


def _show(info: dict[str, object] | None, json_output: bool) -> None:
    if json_output:
        # The version's keys beside the schema; no champion: "version" is null.
        render.print_document("champion", info if info is not None else {"version": None})
    elif info is None:
        render.line("no champion yet; adopt one with `retrigger champion set VERSION`")
    else:
        render.table("champion", ["key", "value"], [[k, str(v)] for k, v in info.items()])
