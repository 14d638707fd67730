"""``retrigger demo``: build a self-contained project and show a trigger firing, and why."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retrigger.cli import render


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Empty or new folder for the demo project (default: a new temp dir).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Build a git + DVC + MLflow demo project, degrade its data, and watch the trigger fire."""
    from retrigger.demo.start import demo as command

    command(directory, render.line)
