"""The approval gate of ``retrigger run``: must a person say yes before this decision runs,
and has one? Also the approved decisions waiting for a runner.
"""

from __future__ import annotations

from dataclasses import replace

from retrigger.approvals import flow as approval_flow
from retrigger.approvals import lease
from retrigger.approvals.lease import Due
from retrigger.decision import Decision
from retrigger.errors import BadInput
from retrigger.notify import linking
from retrigger.store import approvals
from retrigger.store.approvals import Approval
from retrigger.workspace import Workspace


def approval_gate(workspace: Workspace, decision: Decision, who: str) -> Approval | None:
    """None when no approval is needed; else the decision's approval (a new pending one is
    stored and announced). An approved one whose commit or data moved since is marked stale and
    a new approval is requested (``retrigger.approvals.flow``): the pending one is returned.
    Refuses a rejected, expired or stale approval."""
    if workspace.config.policy.approval != "required":
        return None
    slack = workspace.config.slack
    now = workspace.clock()
    snapshot = approval_flow.current_snapshot(workspace)
    where = linking.where(workspace)
    links = where.links(decision.model, decision_id=decision.id)
    with workspace.store.transaction() as conn:
        found = approvals.for_decision(conn, decision.id)
        if found is None:
            return approval_flow.request(conn, decision, who, slack, now, links)
        if found.status == approvals.APPROVED and found.executed_at is None:
            fresh = approval_flow.refresh_if_stale(conn, found, snapshot, slack, now, where)
            if fresh is not None:
                return fresh
    if found.status == approvals.PENDING and found.expires_at <= now:
        found = replace(found, status=approvals.EXPIRED)
    if found.status in (approvals.PENDING, approvals.APPROVED):
        return found
    by = f" by {found.decided_by}" if found.decided_by else ""
    raise BadInput(
        f"approval {found.id} of decision {decision.id} is {found.status}{by}; "
        "nothing to run. Run `retrigger check` for a new decision"
    )


def approved_waiting(workspace: Workspace) -> list[Due]:
    """Approved decisions of this model that no live runner has: never handed on, handed on
    with the lease run out, or started by a runner that died (``approvals.lease``). Each is
    claimed here, so a bot's loop does not hand the same one on at the same moment."""
    config, now = workspace.config, workspace.clock()
    with workspace.store.transaction() as conn:
        found = lease.due(
            conn,
            config.model.name,
            now,
            config.slack.dispatch_lease,
            config.pipeline.lock_stale_after,
        )
        return [item for item in found if approvals.claim_dispatch(conn, item.approval, now)]
