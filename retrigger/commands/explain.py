"""``retrigger explain ID``: the whole story of one decision or retrain run.

Why it fired (signals, values, thresholds), what held it, who asked and who approved, each
attempt's steps with durations, the validation numbers, the promotion, and the data it trained
on with the commands that bring that data back. Read from the state store and MLflow; either
alone is enough for the part it holds.
"""

from __future__ import annotations

from typing import Any

from retrigger.commands.history import row
from retrigger.data.versions import out_version
from retrigger.decision import Decision
from retrigger.errors import BadInput, RetriggerError
from retrigger.lineage import tags
from retrigger.lineage.status import RetrainStatus
from retrigger.lineage.tracking import RunInfo
from retrigger.pipeline.failure_tail import OutputTail
from retrigger.pipeline.record import find_run
from retrigger.pipeline.repro_report import ReproReport
from retrigger.store import approvals, attempts, audit, decisions
from retrigger.workspace import Workspace


def explain(workspace: Workspace, ident: str) -> dict[str, Any]:
    if ident.startswith("models:/"):  # a registry version: what was heard and validated
        from retrigger.commands.registry_log import version_story

        return version_story(workspace, ident)
    decision, run = _find(workspace, ident)
    decision_id = decision.id if decision else (run.tags.get(tags.DECISION_ID) if run else None)
    story: dict[str, Any] = {"decision_id": decision_id, "model": workspace.config.model.name}
    story["decision"] = _decision(decision) if decision else None
    with workspace.store.transaction() as conn:
        found = approvals.for_decision(conn, decision_id) if decision_id else None
        tried = attempts.for_decision(conn, decision_id) if decision_id else []
        events = audit.about(conn, decision_id)
    story["approval"] = _approval(found)
    story["attempts"] = [a.as_json() for a in tried]
    story["audit"] = [
        {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
        for e in events
    ]
    last = next((a.facts for a in reversed(tried) if a.facts.get("validation")), {})
    story["validation"] = last.get("validation")
    story["run"] = row(run, workspace.config.model.metric) if run else None
    story["promotion"] = _promotion(workspace, run, last)
    story["nothing_to_train"] = _nothing_trained(tried)
    story["failure_output"] = _failure_output(tried)
    # A repro that ran no stage trained on nothing: no data to name, no way back to it.
    story["data"] = [] if story["nothing_to_train"] else _data(workspace, decision, run, last)
    return story


def _nothing_trained(tried: list[attempts.Attempt]) -> str | None:
    """Which stages `dvc repro` skipped and why, when the decision trained nothing."""
    ended = next((a for a in tried if a.status == RetrainStatus.NOTHING_TO_TRAIN), None)
    if ended is None:
        return None
    repro = ended.facts.get("repro")
    return ReproReport.from_json(repro).describe() if isinstance(repro, dict) else "no report"


def _failure_output(tried: list[attempts.Attempt]) -> dict[str, Any] | None:
    """The last lines the latest failed attempt's command printed (masked), and its log."""
    failed = [a.facts["output_tail"] for a in tried if isinstance(a.facts.get("output_tail"), dict)]
    return OutputTail.from_json(failed[-1]).as_json() if failed else None


def _find(workspace: Workspace, ident: str) -> tuple[Decision | None, RunInfo | None]:
    with workspace.store.transaction() as conn:
        decision = decisions.get(conn, ident)
    if decision is not None:
        return decision, _run_of(workspace, decision.id)
    if ident.startswith("d-"):
        run = _run_of(workspace, ident)
        if run is None:
            raise BadInput(
                f"no decision or retrain run {ident!r}; list decisions with "
                "`retrigger decisions`, retrain runs with `retrigger history`"
            )
        return None, run
    run = workspace.tracking.get(ident)  # BadInput when MLflow does not know it either
    if run.tags.get(tags.RETRAIN) != "true":
        raise BadInput(f"MLflow run {ident} is not a retrain run recorded by retrigger")
    with workspace.store.transaction() as conn:
        decision = decisions.get(conn, run.tags.get(tags.DECISION_ID, ""))
    return decision, run


def _run_of(workspace: Workspace, decision_id: str) -> RunInfo | None:
    experiment = workspace.tracking.experiment_id()
    if experiment is None:
        return None
    run_id = find_run(workspace.tracking.client, experiment, decision_id)
    return workspace.tracking.get(run_id) if run_id else None


def _decision(decision: Decision) -> dict[str, Any]:
    return {
        **decision.as_json(),
        "hold_detail": decision.hold_detail,
        "requested_by": decision.requested_by,
        "reason": decision.reason,
        "git_commit": decision.git_commit,
        "data_paths": decision.data_paths,
    }


def _approval(found: approvals.Approval | None) -> dict[str, Any] | None:
    if found is None:
        return None

    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "approval_id": found.id,
        "status": found.status,
        "requested_by": found.requested_by,
        "requested_at": iso(found.requested_at),
        "decided_by": found.decided_by,
        "decided_at": iso(found.decided_at),
        "reason": found.reason,
        "executed_at": iso(found.executed_at),
    }


def _promotion(
    workspace: Workspace, run: RunInfo | None, facts: dict[str, Any]
) -> dict[str, Any] | None:
    version = (run.tags.get(tags.MODEL_VERSION) if run else None) or facts.get("model_version")
    if not version:
        return None
    name = workspace.config.model.name
    alias = (
        run.tags.get(tags.CHAMPION_ALIAS) if run else None
    ) or workspace.config.pipeline.champion_alias
    return {
        "model": name,
        "version": version,
        "alias": alias,
        "previous": (run.tags.get(tags.PREVIOUS_CHAMPION) if run else None)
        or facts.get("previous_champion")
        or None,
        "uri": f"models:/{name}/{version}",
    }


def _data(
    workspace: Workspace, decision: Decision | None, run: RunInfo | None, facts: dict[str, Any]
) -> list[dict[str, Any]]:
    """What the model trained on (the run's tags; else the attempt; else the decision)."""
    if run is not None:
        commit = run.tags.get(tags.GIT_COMMIT)
        paths = {
            k[len(tags.DATA_PATH_PREFIX) :]: v
            for k, v in run.tags.items()
            if k.startswith(tags.DATA_PATH_PREFIX)
        }
    elif facts.get("data"):
        commit = facts.get("git_commit")
        paths = {d["path"]: d["md5"] for d in facts["data"]}
    else:
        commit = decision.git_commit if decision else None
        paths = {p: m for p, m in (decision.data_paths if decision else {}).items() if m}
    found = []
    for path, md5 in sorted(paths.items()):
        item: dict[str, Any] = {
            "path": path,
            "md5": md5,
            "git_commit": commit,
            "restore": f"git checkout {commit} && dvc checkout {path}"
            if commit
            else f"dvc checkout {path}",
        }
        if commit:
            item["note"] = _committed(workspace, path, md5, commit)
        found.append(item)
    return found


def _committed(workspace: Workspace, path: str, md5: str, commit: str) -> str | None:
    try:
        at_commit = out_version(workspace.root, path, commit).md5
    except RetriggerError:
        at_commit = None
    if at_commit == md5:
        return None
    return (
        f"commit {commit[:10]} records {path} as {at_commit or 'untracked'}, not {md5}: the "
        "trained data was not committed; it is in the DVC cache and remote under that md5"
    )
