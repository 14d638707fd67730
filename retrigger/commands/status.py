"""``retrigger status``: pending approvals, approved retrains not started, the outbox."""

from __future__ import annotations

from typing import Any

from retrigger.store import approvals, outbox
from retrigger.workspace import Workspace


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
