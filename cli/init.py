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
    ci: Annotated[
        list[str] | None,
        typer.Option(
            "--ci",
            help="Orchestrator files to write: github, gitlab, airflow, k8s (repeat for "
            "several; default github). In a project that has retrigger.yaml, adds only these.",
            show_default=False,
        ),
    ] = None,
    events: Annotated[
        list[str] | None,
        typer.Option(
            "--events",
            help="Data-arrival or registry events to set up: s3, gcs, azure, mlflow (repeat "
            "for several): writes the events: section and prints the cloud-side setup.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Overwrite the named files that already exist (each kept as .bak)."
        ),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Read dvc.yaml and params.yaml, then write retrigger.yaml, the CI/orchestrator files,
    pre-commit hooks, .gitignore lines and a Slack manifest.

    Run it at the top of a git + DVC project. Refuses to overwrite anything without --force,
    and then writes nothing at all.
    """
    from retrigger.commands.init import init as command

    result = command(Path.cwd(), ci or [], force, events or [])
    facts = result.facts
    if json_output:
        render.print_document(
            "init",
            {
                "root": str(facts.root),
                "model": facts.model,
                "found": list(facts.found),
                "undecided": list(facts.undecided),
                "warnings": list(facts.warnings),
                "files": [p.as_json() for p in result.planned],
                "next": result.next_steps,
            },
        )
        return
    for note in facts.found:
        render.line(f"      found  {note}")
    for note in facts.undecided:
        render.line(f"  undecided  {note}", style="bold yellow")
    for note in facts.warnings:
        render.line(f"    warning  {note}", style="yellow")
    for item in result.planned:
        render.line(f"{item.action:>11}  {item.path}  ({item.why})")
    render.line("Next:", style="bold")
    for number, step in enumerate(result.next_steps, 1):
        render.line(f"  {number}. {step}")
