"""``retrigger push [DVC PUSH ARGS...]``: dvc push, verified, then one data-arrival event."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

NOTIFY_DEADLINE_S = 10.0  # what is not delivered by then stays queued for the bot


def register(app: typer.Typer) -> None:
    app.command(
        "push", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(push)


def push(
    dvc_args: Annotated[
        list[str] | None,
        typer.Argument(
            help="Passed to `dvc push` as they are (e.g. -r myremote).",
            metavar="[DVC PUSH ARGS]...",
        ),
    ] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Run `dvc push`, verify the remote has the data, record the data arrival once.

    With `hooks.check_on_push: true`, then run `retrigger check` and print its decision.
    """
    from retrigger.commands.push import push as run_push
    from retrigger.notify import deliver_pending
    from retrigger.workspace import Workspace

    workspace = Workspace.load(config)
    # `dvc push` has run by the time the store is written: a busy store keeps the arrival in
    # the spool (as the pre-push hook does) rather than losing it behind exit 3.
    outcome = run_push(workspace, dvc_args or [], spool=True)
    if outcome.spooled is None:  # the store did not answer: delivering would wait again
        deliver_pending(workspace, NOTIFY_DEADLINE_S)  # the data arrival (and a fired check)
    if json_output:
        render.print_document(
            "push",
            {
                "recorded": outcome.recorded,
                "reference": outcome.reference,
                "arrival": outcome.arrival.as_json(),
                "decision": outcome.decision.as_json() if outcome.decision is not None else None,
                "covered_by": outcome.covered_by,
                "spooled": outcome.spooled,
            },
        )
        return
    if outcome.dvc_output:
        render.line(f"dvc push: {outcome.dvc_output.splitlines()[-1]}")
    for line in outcome.summary_lines():
        render.line(line)
