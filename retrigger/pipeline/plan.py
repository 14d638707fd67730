"""``retrigger run --dry-run``: what a retrain would do, changing nothing.

No lock, no attempt, no approval request, no MLflow write: every stage the retrain will run
(``dvc repro --dry`` and everything downstream of it, plus what a forced retrain forces) and
the exact ``dvc repro`` commands, ``dvc dag``, the data it will train on,
where the model will be written, the thresholds, and the current champion (MLflow answers, or
the plan fails as the run would). A push without a DVC remote is exit 2, as for the real run.
"""

from __future__ import annotations

from typing import Any

from retrigger.data.versions import versions
from retrigger.decision import Decision
from retrigger.lineage.status import FINAL, RetrainStatus
from retrigger.pipeline import load_check, registry
from retrigger.pipeline.dvc import command_args, dry_plan, require_remote
from retrigger.pipeline.force import forced
from retrigger.pipeline.force import plan as plan_repro
from retrigger.pipeline.outcome import Outcome
from retrigger.pipeline.preflight import check as check_project
from retrigger.pipeline.select import Request, _refusal, requested
from retrigger.store import approvals, attempts
from retrigger.workspace import Workspace


def dry_run(workspace: Workspace, request: Request, who: str) -> Outcome:
    config = workspace.config
    decision, approval, done = _stored(workspace, request)
    # A forced run (or a manual decision's) forces the training stages: the plan says how.
    manual = decision is not None and forced(decision) and not done
    command = command_args(config.pipeline.command)
    repro = plan_repro(workspace.root, command, config.model.artifact, request.force or manual)
    stages, dag = dry_plan(workspace.root, repro.forced)
    would = _would(workspace, approval, stages, repro.forced)
    if done and not request.force:
        would = (
            f"do nothing: decision {decision.id if decision else ''} was already executed "
            f"({done[-1]})"
        )
    elif done or not decision or not decision.fire:
        would = (
            f"refuse: {_refusal(decision)}"
            if not request.force
            else f"store a new manual decision requested by {who}, then {would}"
        )
    # The real run refuses a push without a remote: so does the plan (exit 2, the same reason).
    remote = require_remote(workspace.root) if config.pipeline.push else None
    outs = versions(workspace.root, config.data) if config.data else []
    plan = {
        "would": would,
        "stages": stages,
        "dag": dag,
        "command": repro.shown,
        "forced": repro.forced,
        "python": f"{workspace.interpreter.python} ({workspace.interpreter.source})",
        "pull": config.pipeline.pull,
        "push": config.pipeline.push,
        "remote": remote,
        "data": {out.path: out.md5 for out in outs},
        "model_artifact": config.model.artifact,
        "thresholds": _thresholds(workspace),
        "champion": _champion(workspace),
        "notes": check_project(workspace.root, config) + ([repro.note] if repro.note else []),
    }
    decision_id = decision.id if decision else "(new manual decision)"
    return Outcome(
        decision_id,
        RetrainStatus.DRY_RUN,
        f"dry run: would {would}; nothing was changed",
        metric=config.model.metric,
        plan=plan,
    )


def _stored(
    workspace: Workspace, request: Request
) -> tuple[Decision | None, approvals.Approval | None, list[str]]:
    """The decision the run would execute (the asked one, else the latest), its approval, and
    the final statuses of the attempts that already executed it."""
    with workspace.store.transaction() as conn:
        decision = requested(conn, request, workspace.config.model.name)
        if decision is None:
            return None, None, []
        tried = attempts.for_decision(conn, decision.id)
        done = [a.status for a in tried if a.status in FINAL]
        return decision, approvals.for_decision(conn, decision.id), done


def _would(
    workspace: Workspace,
    approval: approvals.Approval | None,
    stages: list[str],
    forced: list[str],
) -> str:
    """What the run would do next: ``stages`` will run, ``forced`` whatever DVC thinks."""
    if workspace.config.policy.approval == "required":
        if approval is None:
            return "request an approval and wait (policy.approval: required)"
        if approval.status != approvals.APPROVED:
            return f"wait: approval {approval.id} is {approval.status}"
    if not stages:
        return (
            "run `dvc repro`, which has no stage to run (every stage up to date): the attempt "
            "would end nothing-to-train, with no model built, validated or registered"
        )
    force = (
        f" (forcing {', '.join(forced)} past DVC's up-to-date check and run cache)"
        if forced
        else ""
    )
    return f"retrain{force}, validate against the champion, push, record and promote"


def _thresholds(workspace: Workspace) -> dict[str, Any]:
    config = workspace.config
    perf = config.signals.performance
    return {
        "metric": config.model.metric,
        "greater_is_better": config.model.greater_is_better,
        "floor": perf.min if perf else None,
        "champion_alias": config.pipeline.champion_alias,
        "min_improvement": config.pipeline.min_improvement,
        "min_relative_improvement": config.pipeline.min_relative_improvement,
        "load_check": load_check.described(workspace),
    }


def _champion(workspace: Workspace) -> dict[str, Any] | None:
    config = workspace.config
    found = registry.champion(
        workspace.tracking.client,
        config.model.name,
        config.pipeline.champion_alias,
        config.model.metric,
    )
    if found is None:
        return None
    return {
        "version": found.version,
        "run_id": found.run_id,
        "decision_id": found.decision_id,
        "recorded_metric": found.recorded_metric,
    }
