"""``retrigger run``: the engine operations the front doors call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

from retrigger.approvals.gate import approval_gate, approved_waiting
from retrigger.decision import Decision
from retrigger.lineage.status import RetrainStatus
from retrigger.pipeline.outcome import Outcome
from retrigger.pipeline.preflight import check as check_project
from retrigger.pipeline.runner import Retrain
from retrigger.pipeline.select import Request, choose, identity
from retrigger.workspace import Workspace

__all__ = ["GitRecord", "Request", "record_in_git", "report_outcome", "run", "run_approved"]

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
            say(
                f"resuming the approved retrain of decision {item.approval.decision_id}: {item.why}"
            )
        request = Request(decision_id=item.approval.decision_id, requested_by=who)
        outcomes.append(_gated(workspace, choose(workspace, request, who), who, say))
    return outcomes


def _gated(workspace: Workspace, decision: Decision, who: str, say: Say) -> Outcome:
    approval = approval_gate(workspace, decision, who)
    if approval is not None and approval.status != "approved":
        moved = (
            ""
            if approval.decision_id == decision.id
            else f"the commit or data moved since decision {decision.id} was approved; "
        )
        return Outcome(
            approval.decision_id,
            RetrainStatus.AWAITING_APPROVAL,
            f"{moved}approval {approval.id} requested for decision "
            f"{approval.decision_id}; it runs once approved (Slack, or "
            "`retrigger run --approved` after `retrigger approve`)",
            approval_id=approval.id,
        )
    retrain = Retrain(
        workspace,
        decision,
        requested_by=who,
        approved_by=approval.decided_by if approval else None,
        approval_id=approval.id if approval else None,
        say=say,
    )
    return retrain.execute()


@dataclass(frozen=True)
class GitRecord:
    files: list[str]  # what the promoted retrain changed that git should hold
    command: str  # the exact `git add … && git commit …` a person runs
    commit_id: str | None  # set when pipeline.commit made the commit


def record_in_git(workspace: Workspace, outcome: Outcome) -> GitRecord | None:
    """After a promotion: the new dvc.lock to commit, committed when ``pipeline.commit``."""
    from retrigger.lineage import commit as git_commit

    if outcome.status != "promoted" or outcome.already_done:
        return None
    config = workspace.config
    files = git_commit.files_to_commit(workspace.root, config.model.metrics_file)
    if not files:
        return None
    command = git_commit.commit_command(files, config.model.name, outcome.decision_id)
    commit_id = (
        git_commit.commit(workspace.root, files, config.model.name, outcome.decision_id)
        if config.pipeline.commit
        else None
    )
    return GitRecord(files, command, commit_id)


def report_outcome(outcome: Outcome, environ: Mapping[str, str], stream: TextIO) -> None:
    """The run's table in $GITHUB_STEP_SUMMARY and an annotation, when a CI sets them."""
    from retrigger.integrations import ci

    if outcome.plan is not None:
        return
    document = outcome.as_json()
    ci.append_summary(environ, ci.outcome_summary(document))
    ci.annotate(environ, ci.outcome_annotation(document), stream)
