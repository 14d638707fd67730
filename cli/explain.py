"""``retrigger explain ID``: the whole story of one decision or retrain run."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)


def explain(
    ident: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Decision id, MLflow run id, or models:/NAME/VERSION (what the registry "
            "did to it).",
        ),
    ],
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown",
            help="The story as Markdown: the body of the pull / merge request that "
            "records a promoted retrain.",
        ),
    ] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Why a model retrained: signals and thresholds, holds, approval, steps and durations,
    validation, promotion, and the commands that bring its training data back."""
    from retrigger.commands.explain import explain as engine_explain
    from retrigger.commands.explain_lines import story_lines
    from retrigger.workspace import Workspace

    with render.waiting("gathering the story…", json_output):
        story = engine_explain(Workspace.load(config), ident)
    if json_output:
        render.print_document("explain", story)
        return
    if markdown:
        from retrigger.commands.explain_lines import markdown as story_markdown

        print(story_markdown(story), end="")
        return
    for text in story_lines(story):
        render.line(text)
