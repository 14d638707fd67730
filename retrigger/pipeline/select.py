"""Which decision ``retrigger run`` acts on, and whether it may (``retrigger.approvals.gate``
says whether a person must say yes first).

Refusals are ``BadInput`` raised before anything is stored. A forced run stores a new decision
(trigger type ``manual``, who asked and why) so the held or quiet decision stays as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from retrigger.decision import Decision, new_decision_id
from retrigger.errors import BadInput
from retrigger.lineage import snapshot
from retrigger.proc import run
from retrigger.store import Connection, decisions
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
        raise BadInput(
            "--force needs --reason TEXT: say why this retrain is needed (it is kept "
            "in the audit trail)"
        )
    with workspace.store.transaction() as conn:
        decision = requested(conn, request, workspace.config.model.name)
    if request.force:  # always a new decision carrying its reason, never a silent resume
        return _force(workspace, decision, who, str(request.reason).strip())
    if decision is not None and decision.fire:
        return decision
    raise BadInput(_refusal(decision))


def requested(conn: Connection, request: Request, model: str) -> Decision | None:
    """The decision asked for (``--decision``), else the model's latest; BadInput when the
    asked one is not this model's."""
    if not request.decision_id:
        return decisions.latest(conn, model)
    decision = decisions.get(conn, request.decision_id)
    if decision is None or decision.model != model:
        raise BadInput(
            f"decision {request.decision_id!r} does not exist for model {model!r}; list "
            "decisions with `retrigger decisions` or run `retrigger check`"
        )
    return decision


def _refusal(decision: Decision | None) -> str:
    if decision is None:
        return (
            "no decision yet; run `retrigger check` first, or force one with "
            "`retrigger run --force --reason TEXT`"
        )
    if decision.held_by:
        why = f"was held by {decision.held_by} ({decision.hold_detail})"
    else:
        fired = ", ".join(decision.trigger_types)
        why = "did not fire" + (
            f" (signals {fired} fired but the policy wants all)" if fired else " (no signal fired)"
        )
    return (
        f"decision {decision.id} {why}; nothing to retrain. To retrain anyway: "
        "`retrigger run --force --reason TEXT`"
    )


def _force(workspace: Workspace, base: Decision | None, who: str, reason: str) -> Decision:
    config = workspace.config
    now = workspace.clock()
    now_holds = snapshot.current(workspace.root, config.data)
    decision = Decision(
        id=new_decision_id(now),
        model=config.model.name,
        created_at=now,
        fire=True,
        wanted=base.wanted if base else False,
        trigger_types=(MANUAL,),
        held_by=None,
        hold_detail=None,
        readings=base.readings if base else (),
        data_version=now_holds.data_version,
        data_paths=now_holds.data_paths,
        git_commit=now_holds.git_commit,
        config=config.model_dump(mode="json", include={"signals", "policy"}),
        requested_by=who,
        reason=reason,
    )
    with workspace.store.transaction() as conn:
        decisions.save(conn, decision)
        record(
            conn,
            action="decision.forced",
            subject=decision.id,
            actor=who,
            now=now,
            detail={
                "reason": reason,
                "forced_over": base.id if base else None,
                "held_by": base.held_by if base else None,
            },
        )
    return decision
