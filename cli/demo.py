"""``retrigger demo``: build a self-contained project and show a trigger firing, and why."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.errors import BadInput


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    directory: Annotated[Path | None, typer.Argument(
        help="Empty or new folder for the demo project (default: a new temp dir).",
        file_okay=False)] = None,
) -> None:
    """Build a git + DVC + MLflow demo project, degrade its data, and watch the trigger fire."""
    root = directory or Path(tempfile.mkdtemp(prefix="retrigger-demo-"))
    if root.exists() and any(root.iterdir()):
        raise BadInput(f"{root} is not empty; give a new or empty folder for the demo")
    from retrigger.demo.walkthrough import run_demo

    run_demo(root.resolve(), render.line)
