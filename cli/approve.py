"""``retrigger approve ID``, ``retrigger reject ID --reason``, ``retrigger status``."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

DELIVERY_DEADLINE_S = 10.0


def register(app: typer.Typer) -> None:
    app.command("approve")(approve)
    app.command("reject")(reject)
    app.command("status")(status)


ApprovalId = Annotated[str, typer.Argument(help="The approval id (a-...); see `retrigger status`.")]


def approve(approval_id: ApprovalId, config: ConfigOption = None,
            reason: Annotated[str | None, typer.Option(help="Why, for the audit trail.")] = None,
            json_output: JsonOption = False) -> None:
    """Approve a pending retrain (exactly once; an expired or decided one is refused)."""
    _decide(approval_id, True, reason, config, json_output)


def reject(approval_id: ApprovalId,
           reason: Annotated[str, typer.Option(help="Why (required), for the audit trail.")],
           config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Reject a pending retrain."""
    _decide(approval_id, False, reason, config, json_output)


def _decide(approval_id: str, approve: bool, reason: str | None, config: ConfigOption,
            json_output: bool) -> None:
    from retrigger import ops
    from retrigger.notify import deliver_pending
    from retrigger.workspace import Workspace

    workspace = Workspace.load(config)
    result = ops.decide(workspace, approval_id, approve, reason)
    deliver_pending(workspace, DELIVERY_DEADLINE_S)
    approval = result.approval
    assert approval is not None
    if json_output:
        render.print_json({"approval_id": approval.id, "decision_id": approval.decision_id,
                           "status": approval.status, "decided_by": approval.decided_by})
        return
    render.line(result.message)
    if approve:
        render.line(f"executor: {workspace.config.slack.executor} (with `none`, a CI job runs "
                    "`retrigger run --approved`)")


def status(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Pending approvals, approved retrains not started, the outbox backlog and dead letters."""
    from retrigger import ops
    from retrigger.workspace import Workspace

    report = ops.status(Workspace.load(config))
    if json_output:
        render.print_json(report)
        return
    render.table("pending approvals", ["approval", "model", "requested by", "expires (UTC)"],
                 [[a["approval_id"], a["model"], a["requested_by"] or "?",
                   a["expires_at"][:16].replace("T", " ") + (" overdue" if a["overdue"] else "")]
                  for a in report["pending_approvals"]])
    for a in report["approved_not_started"]:
        render.line(f"approved, not started: {a['approval_id']} ({a['decision_id']})")
    box = report["outbox"]
    render.line(f"outbox: {box['pending']} pending" + (
        f", oldest {box['oldest']}, next attempt {box['next_attempt_at']}" if box["pending"]
        else ""))
    render.table("dead letters", ["id", "kind", "channel", "attempts", "error"],
                 [[str(d["id"]), d["kind"], d["channel"], str(d["attempts"]),
                   str(d["last_error"])] for d in report["dead_letters"]])
