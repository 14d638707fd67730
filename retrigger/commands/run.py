"""``retrigger run``: the engine operations the front doors call."""

from __future__ import annotations

from collections.abc import Callable

from retrigger.approvals.gate import approval_gate, approved_waiting
from retrigger.decision import Decision
from retrigger.lineage.status import RetrainStatus
from retrigger.pipeline.outcome import Outcome
from retrigger.pipeline.preflight import check as check_project
from retrigger.pipeline.runner import Retrain
from retrigger.pipeline.select import Request, choose, identity
from retrigger.workspace import Workspace

__all__ = ["Request", "run", "run_approved"]

Say = Callable[[str], None]


def run(workspace: Workspace, request: Request, say: Say, dry_run: bool = False) -> Outcome:
    """Act on one decision (the latest without an id): retrain it, or ask for approval."""
    who = identity(workspace, request.requested_by)
    check_project(workspace.root, workspace.config)  # exit 2 before anything is stored or run
    if dry_run:
        from retrigger.pipeline.plan import dry_run as plan

        return plan(workspace, request, who)
    decision = choose(workspace, request, who)
    return _gated(workspace, decision, who, say)


def run_approved(workspace: Workspace, requested_by: str | None, say: Say) -> list[Outcome]:
    """Execute every approved, not yet executed decision of the model, oldest first."""
    who = identity(workspace, requested_by)
    outcomes = []
    for item in approved_waiting(workspace):
        if item.why is not None:
            say(f"resuming the approved retrain of decision {item.approval.decision_id}: "
                f"{item.why}")
        request = Request(decision_id=item.approval.decision_id, requested_by=who)
        outcomes.append(_gated(workspace, choose(workspace, request, who), who, say))
    return outcomes


def _gated(workspace: Workspace, decision: Decision, who: str, say: Say) -> Outcome:
    approval = approval_gate(workspace, decision, who)
    if approval is not None and approval.status != "approved":
        moved = ("" if approval.decision_id == decision.id else
                 f"the commit or data moved since decision {decision.id} was approved; ")
        return Outcome(approval.decision_id, RetrainStatus.AWAITING_APPROVAL,
                       f"{moved}approval {approval.id} requested for decision "
                       f"{approval.decision_id}; it runs once approved (Slack, or "
                       "`retrigger run --approved` after `retrigger approve`)",
                       approval_id=approval.id)
    retrain = Retrain(workspace, decision, requested_by=who,
                      approved_by=approval.decided_by if approval else None,
                      approval_id=approval.id if approval else None, say=say)
    return retrain.execute()
