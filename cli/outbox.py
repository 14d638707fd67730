"""``retrigger outbox retry [ID…|--all]``: resend dead letters once their cause is fixed."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

DELIVERY_DEADLINE_S = 10.0
outbox_app = typer.Typer(
    help="The durable outbox of Slack messages and audit events.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")


@outbox_app.command("retry")
def retry(
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Dead letter ids (see `retrigger status`).", show_default=False),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every dead letter.")] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Re-queue dead letters and try to deliver them now (what is not delivered stays queued)."""
    from retrigger.commands import outbox as command
    from retrigger.notify import deliver_pending
    from retrigger.workspace import Workspace

    workspace = Workspace.load(config)
    requeued = command.retry(workspace, ids or [], everything)
    if requeued:
        deliver_pending(workspace, DELIVERY_DEADLINE_S)
    if json_output:
        render.print_document("outbox-retry", {"requeued": requeued})
        return
    render.line(
        f"re-queued {len(requeued)} dead letter(s)"
        + (f": {', '.join(map(str, requeued))}" if requeued else "")
    )
