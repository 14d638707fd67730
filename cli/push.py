"""``retrigger push [DVC PUSH ARGS...]``: dvc push, verified, then one data-arrival event."""

from __future__ import annotations

from typing import Annotated

import typer
from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("push", context_settings={"allow_extra_args": True,
                                          "ignore_unknown_options": True})(push)


def push(
    dvc_args: Annotated[list[str] | None, typer.Argument(
        help="Passed to `dvc push` as they are (e.g. -r myremote).", metavar="[DVC PUSH ARGS]...",
    )] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Run `dvc push`, verify the remote has the data, record the data arrival once.

    With `hooks.check_on_push: true`, then run `retrigger check` and print its decision.
    """
    from retrigger.data.push import push as run_push
    from retrigger.workspace import Workspace

    outcome = run_push(Workspace.load(config), dvc_args or [])
    if json_output:
        render.print_json({
            "recorded": outcome.recorded, "reference": outcome.reference,
            "arrival": outcome.arrival.as_json(),
            "decision": outcome.decision.as_json() if outcome.decision is not None else None,
        })
        return
    if outcome.dvc_output:
        render.line(f"dvc push: {outcome.dvc_output.splitlines()[-1]}")
    for line in outcome.summary_lines():
        render.line(line)
