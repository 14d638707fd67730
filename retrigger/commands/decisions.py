"""``retrigger decisions``: every decision the checks took, newest first, and where each stands.

A decision's state: ``not needed`` (no signal asked), ``held`` (a signal asked; the policy held
it back), ``fired``, ``superseded`` (fired, never ran, replaced by the next fired one); then,
when approval is required, the approval's word (``pending``, ``approved``, ``rejected``,
``expired``, ``superseded`` for a stale one), and once a retrain ran, its last attempt's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from retrigger.decision import Decision
from retrigger.store import approvals, attempts, decisions
from retrigger.workspace import Workspace

SCHEMA = "retrigger/decisions/v1"
_APPROVAL_WORDS = {"stale": "superseded"}


@dataclass(frozen=True)
class DecisionRow:
    decision: Decision
    state: str  # not needed | held | fired | pending | approved | rejected | expired | superseded
    retrain: str | None  # the last attempt's status, if a retrain ran

    def as_json(self) -> dict[str, object]:
        d = self.decision
        return {
            "decision_id": d.id,
            "model": d.model,
            "created_at": d.created_at.isoformat(timespec="seconds"),
            "state": self.state,
            "fire": d.fire,
            "trigger_types": list(d.trigger_types),
            "held_by": d.held_by,
            "reason": d.reason,
            "requested_by": d.requested_by,
            "data_version": d.data_version,
            "git_commit": d.git_commit,
            "retrain": self.retrain,
        }


def listing(workspace: Workspace, since: timedelta | None) -> list[DecisionRow]:
    """Decisions about the configured model within ``since`` (all when None)."""
    start = workspace.clock() - since if since is not None else None
    found = []
    with workspace.store.transaction() as conn:
        for decision in decisions.since(conn, workspace.config.model.name, start):
            approval = approvals.for_decision(conn, decision.id)
            tried = attempts.for_decision(conn, decision.id)
            found.append(
                DecisionRow(
                    decision, _state(decision, approval), tried[-1].status if tried else None
                )
            )
    return found


def _state(decision: Decision, approval: approvals.Approval | None) -> str:
    if approval is not None:
        return _APPROVAL_WORDS.get(approval.status, approval.status)
    if decision.fire:
        return "fired"
    if decision.held_by == decisions.SUPERSEDED:
        return "superseded"  # fired, never ran, replaced by a newer fired decision
    return "held" if decision.held_by else "not needed"


def document(rows: list[DecisionRow]) -> dict[str, object]:
    """The ``--json`` document."""
    return {"schema": SCHEMA, "decisions": [row.as_json() for row in rows]}
