"""``retrigger baseline set|show``: the reference run the performance threshold follows."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

baseline_app = typer.Typer(help="Choose or show the baseline run (tag retrigger.baseline=true).",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(baseline_app, name="baseline")


@baseline_app.command("set")
def set_baseline(
    run_id: Annotated[str | None, typer.Argument(
        help="MLflow run id of the new baseline.", show_default=False)] = None,
    from_metrics: Annotated[bool, typer.Option(
        "--from-metrics", help="Record the model in the workspace as the baseline: a new run "
        "with model.metrics_file's value, the commit and the data versions.")] = False,
    record_data: Annotated[bool, typer.Option(
        "--record-data", help="Tag the run with the working tree's data versions (when the run "
        "trained on them and did not record them).")] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Make RUN_ID (or, with --from-metrics, the model in the workspace) the baseline;
    earlier baselines lose the tag."""
    from retrigger.commands.baseline import set_baseline as engine_set
    from retrigger.commands.baseline import set_from_metrics
    from retrigger.errors import BadInput
    from retrigger.workspace import Workspace

    if (run_id is None) == (not from_metrics):
        raise BadInput("give either RUN_ID or --from-metrics (not both): `retrigger baseline "
                       "set RUN_ID` or `retrigger baseline set --from-metrics`")
    workspace = Workspace.load(config)
    run = (set_from_metrics(workspace) if run_id is None
           else engine_set(workspace, run_id, record_data=record_data))
    _show(run, json_output)


@baseline_app.command("show")
def show(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Show the current baseline run and its primary metric."""
    from retrigger.commands.baseline import current_baseline
    from retrigger.workspace import Workspace

    _show(current_baseline(Workspace.load(config)), json_output)


def _show(info: dict[str, object] | None, json_output: bool) -> None:
    if json_output:
        render.print_json(info)
    elif info is None:
        render.line("no baseline run; set one with `retrigger baseline set RUN_ID`")
    else:
        render.table("baseline", ["key", "value"], [[k, str(v)] for k, v in info.items()])
