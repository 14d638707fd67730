"""Which decision ``retrigger run`` acts on, whether it may, and whether a person must say yes.

Refusals are ``BadInput`` raised before anything is stored. A forced run stores a new decision
(trigger type ``manual``, who asked and why) so the held or quiet decision stays as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime

from retrigger.data.versions import data_version, versions
from retrigger.decision import Decision, new_decision_id
from retrigger.errors import BadInput
from retrigger.gitutil import head_commit
from retrigger.lineage.status import FINAL
from retrigger.proc import run
from retrigger.store import Connection, approvals, attempts, decisions
from retrigger.store.approvals import Approval
from retrigger.store.audit import record
from retrigger.workspace import Workspace

MANUAL = "manual"


@dataclass(frozen=True)
class Request:
    decision_id: str | None = None
    force: bool = False
    reason: str | None = None
    requested_by: str | None = None


def identity(workspace: Workspace, given: str | None) -> str:
    """Who is running this: ``--requested-by``, the CI actor, the git identity, or $USER."""
    if given:
        return given
    if os.environ.get("GITHUB_ACTOR"):
        return f"github:{os.environ['GITHUB_ACTOR']}"
    result = run(["git", "config", "user.email"], workspace.root, check=False)
    return result.stdout.strip() or os.environ.get("USER") or "unknown"


def choose(workspace: Workspace, request: Request, who: str) -> Decision:
    """The decision to run; a new manual one when forcing a decision that would be refused."""
    if request.force and not (request.reason or "").strip():
        raise BadInput("--force needs --reason TEXT: say why this retrain is needed (it is kept "
                       "in the audit trail)")
    model = workspace.config.model.name
    with workspace.store.transaction() as conn:
        if request.decision_id:
            decision = decisions.get(conn, request.decision_id)
            if decision is None or decision.model != model:
                raise BadInput(f"decision {request.decision_id!r} does not exist for model "
                               f"{model!r}; list decisions with `retrigger history` or run "
                               "`retrigger check`")
        else:
            decision = decisions.latest(conn, model)
        done = decision is not None and any(
            a.status in FINAL for a in attempts.for_decision(conn, decision.id))
    if decision is not None and decision.fire and not (request.force and done):
        return decision
    if not request.force:
        raise BadInput(_refusal(decision))
    return _force(workspace, decision, who, str(request.reason).strip())


def _refusal(decision: Decision | None) -> str:
    if decision is None:
        return ("no decision yet; run `retrigger check` first, or force one with "
                "`retrigger run --force --reason TEXT`")
    if decision.held_by:
        why = f"was held by {decision.held_by} ({decision.hold_detail})"
    else:
        fired = ", ".join(decision.trigger_types)
        why = "did not fire" + (f" (signals {fired} fired but the policy wants all)" if fired
                                else " (no signal fired)")
    return (f"decision {decision.id} {why}; nothing to retrain. To retrain anyway: "
            "`retrigger run --force --reason TEXT`")


def _force(workspace: Workspace, base: Decision | None, who: str, reason: str) -> Decision:
    config = workspace.config
    now = workspace.clock()
    outs = versions(workspace.root, config.data) if config.data else []
    decision = Decision(
        id=new_decision_id(now), model=config.model.name, created_at=now, fire=True,
        wanted=base.wanted if base else False, trigger_types=(MANUAL,), held_by=None,
        hold_detail=None, readings=base.readings if base else (),
        data_version=data_version(outs) if outs else None,
        data_paths={out.path: out.md5 for out in outs}, git_commit=head_commit(workspace.root),
        config=config.model_dump(mode="json", include={"signals", "policy"}),
        requested_by=who, reason=reason,
    )
    with workspace.store.transaction() as conn:
        decisions.save(conn, decision)
        record(conn, action="decision.forced", subject=decision.id, actor=who, now=now,
               detail={"reason": reason, "forced_over": base.id if base else None,
                       "held_by": base.held_by if base else None})
    return decision


def approval_gate(workspace: Workspace, decision: Decision, who: str) -> Approval | None:
    """None when no approval is needed; else the decision's approval (a new pending one is
    stored and announced). An approved one whose commit or data moved since is marked stale and
    a new approval is requested (``retrigger.approval_flow``): the pending one is returned.
    Refuses a rejected, expired or stale approval."""
    if workspace.config.policy.approval != "required":
        return None
    from retrigger.approvals import flow as approval_flow

    slack = workspace.config.slack
    now = workspace.clock()
    snapshot = approval_flow.current_snapshot(workspace)
    with workspace.store.transaction() as conn:
        found = approvals.for_decision(conn, decision.id)
        if found is None:
            return approval_flow.request(conn, decision, who, slack, now)
        if found.status == approvals.APPROVED and found.executed_at is None:
            fresh = approval_flow.refresh_if_stale(conn, found, snapshot, slack, now)
            if fresh is not None:
                return fresh
    if found.status == approvals.PENDING and found.expires_at <= now:
        found = replace(found, status=approvals.EXPIRED)
    if found.status in (approvals.PENDING, approvals.APPROVED):
        return found
    by = f" by {found.decided_by}" if found.decided_by else ""
    raise BadInput(f"approval {found.id} of decision {decision.id} is {found.status}{by}; "
                   "nothing to run. Run `retrigger check` for a new decision")


def mark_executed(conn: Connection, approval_id: str, now: datetime) -> bool:
    """Take an approved decision for execution: true for exactly one caller."""
    return approvals.mark_executed(conn, approval_id, now)


def approved_waiting(workspace: Workspace) -> list[Approval]:
    """Approved decisions of this model not yet executed nor handed to an executor."""
    with workspace.store.transaction() as conn:
        return approvals.ready_to_dispatch(conn, workspace.config.model.name)
