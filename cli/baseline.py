"""``retrigger baseline set|show``: the reference run the performance threshold follows."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

baseline_app = typer.Typer(
    help="Choose or show the baseline run (tag retrigger.baseline=true).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(baseline_app, name="baseline")


@baseline_app.command("set")
def set_baseline(
    target: Annotated[
        str | None,
        typer.Argument(
            help="MLflow run id, models:/NAME/VERSION or models:/NAME@ALIAS (that version's run); "
            "with --from-metrics: the metrics file (default model.metrics_file)."
        ),
    ] = None,
    from_metrics: Annotated[
        bool,
        typer.Option(
            "--from-metrics",
            help="Log a run with every numeric metric of the metrics file (nested "
            "keys joined with dots), the data versions and the commit, and make it the baseline.",
        ),
    ] = False,
    record_data: Annotated[
        bool,
        typer.Option(
            "--record-data",
            help="Tag the run with the working tree's data versions (when the run "
            "trained on them and did not record them).",
        ),
    ] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Make a run the baseline; earlier baselines lose the tag."""
    from retrigger.commands.baseline import from_metrics as engine_from_metrics
    from retrigger.commands.baseline import set_baseline as engine_set
    from retrigger.errors import BadInput
    from retrigger.workspace import Workspace

    if from_metrics:
        _show(engine_from_metrics(Workspace.load(config), target), json_output)
        return
    if not target:
        raise BadInput("baseline set needs a RUN_ID, a models:/ URI, or --from-metrics [FILE]")
    _show(engine_set(Workspace.load(config), target, record_data=record_data), json_output)


@baseline_app.command("show")
def show(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Show the current baseline run and its primary metric."""
    from retrigger.commands.baseline import current_baseline
    from retrigger.workspace import Workspace

    _show(current_baseline(Workspace.load(config)), json_output)


def _show(info: dict[str, object] | None, json_output: bool) -> None:
    if json_output:
        # The run's keys beside the schema; no baseline: "run_id" is null.
        render.print_document("baseline", info if info is not None else {"run_id": None})
    elif info is None:
        render.line("no baseline run; set one with `retrigger baseline set RUN_ID`")
    else:
        render.table("baseline", ["key", "value"], [[k, str(v)] for k, v in info.items()])
