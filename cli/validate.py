"""``retrigger validate models:/NAME/VERSION``: a version made outside retrigger, judged by the
gate a retrain passes; promoted only with ``--promote``."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(
    version: Annotated[
        str,
        typer.Argument(help="models:/NAME/VERSION, models:/NAME@ALIAS, or a version number."),
    ],
    promote: Annotated[
        bool,
        typer.Option(
            "--promote", help="Move the champion alias to it when (and only when) it passes."
        ),
    ] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Judge a registry version against the champion with the same gate as a retrain
    (validation.data, else the recorded metrics); exit 1 when the gate refuses it."""
    from retrigger.commands.validate import validate as engine_validate
    from retrigger.workspace import Workspace

    with render.waiting("scoring…", json_output):
        result = engine_validate(Workspace.load(config), version, promote)
    if json_output:
        render.print_json(result.as_json())
    else:
        verdict = result.verdict
        said = "passed" if verdict.passed else "REFUSED"
        render.line(f"{result.uri}: validation {said}: {verdict.reason}")
        if result.promoted:
            was = f" (was v{result.previous})" if result.previous else ""
            render.line(f"promoted {result.uri} to the champion alias{was}")
        elif verdict.passed:
            render.line(f"not promoted; `retrigger validate {result.uri} --promote` promotes it")
        if result.note:
            render.line(result.note)
    if not result.verdict.passed:
        raise typer.Exit(1)
