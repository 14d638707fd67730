"""``retrigger init``: set a git + DVC project up to retrain on signals, not on every push."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import JsonOption


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    ci: Annotated[list[str] | None, typer.Option(
        "--ci", help="Orchestrator files to write: github, airflow, k8s (repeat for several; "
        "default github).", show_default=False,
    )] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite files that already exist.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Write retrigger.yaml, the CI/orchestrator files, pre-commit hooks and a Slack manifest.

    Run it at the top of a git + DVC project. Refuses to overwrite anything without --force,
    and then writes nothing at all.
    """
    from retrigger.commands.init import init as command

    facts, planned = command(Path.cwd(), ci or [], force)
    if json_output:
        render.print_document("init", {"root": str(facts.root), "model": facts.model,
                           "files": [p.as_json() for p in planned]})
        return
    for item in planned:
        render.line(f"{item.action:>11}  {item.path}  ({item.why})")
    render.line(
        "Next: read retrigger.yaml (the thresholds are explained there), `retrigger check` "
        "to see a first decision, `pre-commit install`, and commit the new files.",
        style="bold")
