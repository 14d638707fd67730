"""Approvals and delivery from the command line: ``retrigger approve / reject / status``."""

from __future__ import annotations

import getpass
from typing import Any

from retrigger import approval_flow, approvals
from retrigger.approval_flow import Result
from retrigger.errors import BadInput
from retrigger.notify import outbox
from retrigger.workspace import Workspace


def cli_actor() -> str:
    """Who decides from the CLI: the OS user (anyone who can write the state store is trusted
    like an approver; four-eyes still compares with who requested)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def decide(workspace: Workspace, approval_id: str, approve: bool, reason: str | None,
           actor: str | None = None) -> Result:
    """Approve or reject from the CLI; anything but a state change is a ``BadInput``."""
    with workspace.store.transaction() as conn:
        result = approval_flow.decide(conn, approval_id, actor or cli_actor(), approve, reason,
                                      workspace.clock(), slack=workspace.config.slack,
                                      approvers=None)
    if not result.changed:
        raise BadInput(f"{result.message}; nothing changed")
    return result


def status(workspace: Workspace) -> dict[str, Any]:
    """Pending approvals, the outbox backlog and the dead letters, as one JSON document."""
    now = workspace.clock()
    with workspace.store.transaction() as conn:
        pending = approvals.listing(conn, status=approvals.PENDING)
        ready = approvals.ready_to_dispatch(conn)
        backlog = outbox.backlog(conn)
        dead = outbox.dead_letters(conn)
    return {
        "pending_approvals": [_approval(a, now > a.expires_at) for a in pending],
        "approved_not_started": [_approval(a, False) for a in ready],
        "outbox": backlog,
        "dead_letters": dead,
    }


def _approval(a: approvals.Approval, overdue: bool) -> dict[str, Any]:
    return {"approval_id": a.id, "decision_id": a.decision_id, "model": a.model,
            "status": a.status, "requested_by": a.requested_by,
            "requested_at": a.requested_at.isoformat(), "expires_at": a.expires_at.isoformat(),
            "overdue": overdue, "decided_by": a.decided_by}
