"""``retrigger approve ID`` and ``retrigger reject ID --reason``."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

DELIVERY_DEADLINE_S = 10.0


def register(app: typer.Typer) -> None:
    app.command("approve")(approve)
    app.command("reject")(reject)


ApprovalId = Annotated[str, typer.Argument(help="The approval id (a-...); see `retrigger status`.")]


def approve(
    approval_id: ApprovalId,
    config: ConfigOption = None,
    reason: Annotated[str | None, typer.Option(help="Why, for the audit trail.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Approve a pending retrain (exactly once; an expired or decided one is refused)."""
    _decide(approval_id, True, reason, config, json_output)


def reject(
    approval_id: ApprovalId,
    reason: Annotated[str, typer.Option(help="Why (required), for the audit trail.")],
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Reject a pending retrain."""
    _decide(approval_id, False, reason, config, json_output)


def _decide(
    approval_id: str, approve: bool, reason: str | None, config: ConfigOption, json_output: bool
) -> None:
    from retrigger.commands import approve as command
    from retrigger.notify import deliver_pending
    from retrigger.workspace import Workspace

    workspace = Workspace.load(config)
    answer = command.approve if approve else command.reject
    result = answer(workspace, approval_id, reason)
    deliver_pending(workspace, DELIVERY_DEADLINE_S)
    approval = result.approval
    assert approval is not None
    if json_output:
        render.print_document(
            "approval",
            {
                "approval_id": approval.id,
                "decision_id": approval.decision_id,
                "status": approval.status,
                "decided_by": approval.decided_by,
            },
        )
        return
    render.line(result.message)
    if approve:
        render.line(
            f"executor: {workspace.config.slack.executor} (with `none`, a CI job runs "
            "`retrigger run --approved`)"
        )
