"""``retrigger decisions``: list decisions (fired, held, pending, superseded), newest first."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("decisions")(decisions)


def decisions(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only decisions taken within this duration, e.g. 30d, 12h."),
    ] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """List the decisions `retrigger check` took and where each stands: not needed, held,
    fired, pending approval, approved, rejected, expired or superseded, and the retrain's
    status. `retrigger explain ID` tells one decision's whole story."""
    from retrigger.commands import decisions as command
    from retrigger.commands.history import window
    from retrigger.workspace import Workspace

    span = window(since)
    rows = command.listing(Workspace.load(config), span)
    if json_output:
        render.print_json(command.document(rows))
        return
    if not rows:
        render.line(
            "no decisions yet"
            + (f" in the last {since}" if since else "")
            + "; `retrigger check` takes one"
        )
        return
    render.table(
        "decisions, newest first",
        ["taken", "decision", "state", "triggers", "held by", "retrain", "requested by"],
        [
            [
                render.timestamp(r.decision.created_at),
                r.decision.id,
                r.state,
                ", ".join(r.decision.trigger_types) or "—",
                r.decision.held_by or "—",
                r.retrain or "—",
                r.decision.requested_by or "—",
            ]
            for r in rows
        ],
    )
