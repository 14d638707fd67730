"""What happened before a check, as the policy needs it: the retrains that started (state
store and MLflow), the data versions refused or trained nothing, what awaits approval, and —
when a signal fired on data already trained on — what changed among the training's other inputs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from retrigger.decision import Reading
from retrigger.lineage import tags
from retrigger.lineage.status import RetrainStatus
from retrigger.policy import History, Pending, TriedInputs
from retrigger.signals.context import SignalContext
from retrigger.store import decisions
from retrigger.workspace import Workspace

if TYPE_CHECKING:
    from retrigger.data.inputs import Inputs


def with_inputs(
    history: History,
    workspace: Workspace,
    ctx: SignalContext,
    readings: tuple[Reading, ...],
    current_version: str | None,
) -> History:
    """Add what changed among the training's other inputs — only when it matters: a signal
    fired and the data is what was trained on (``dvc status`` costs a second or two)."""
    if current_version is None or not any(r.fired for r in readings):
        return history
    with workspace.store.transaction() as conn:
        model = workspace.config.model.name
        tried = [
            t for t in decisions.tried_attempts(conn, model) if t.data_version == current_version
        ]
    same_data = (
        current_version == history.trained_data_version
        or current_version in history.refused_data_versions
        or current_version in history.untrained_data_versions
        or bool(tried)
    )
    if not same_data:
        return history
    from dataclasses import replace

    from retrigger.data.inputs import compare_inputs

    run = ctx.trained_run
    commit = (
        run.tags.get(tags.GIT_COMMIT) or run.tags.get(tags.MLFLOW_GIT_COMMIT)
        if run is not None
        else None
    )
    inputs = compare_inputs(
        workspace.root, workspace.config.model.artifact, workspace.config.data, commit
    )
    known = inputs.unknown is None
    return replace(
        history,
        stages=inputs.stages,
        changed_inputs=inputs.changed if known else None,
        stale_inputs=inputs.stale if known else None,
        tried=_tried(workspace, inputs, tried) if known and inputs.changed else None,
    )


def _tried(
    workspace: Workspace, inputs: Inputs, tried: list[decisions.TriedAttempt]
) -> TriedInputs | None:
    """The newest refused or nothing-to-train retrain whose kept dvc.lock records the inputs
    now: params or code that differ from HEAD's lock, but were tried already."""
    from retrigger.data.tried import Tried, same_as_tried

    where = Tried(workspace.root, workspace.config.model.artifact, workspace.config.data, inputs)
    found = same_as_tried(where, [t.attempt_id for t in tried])
    attempt = next((t for t in tried if t.attempt_id == found), None)
    if attempt is None:
        return None
    return TriedInputs(attempt.decision_id, attempt.status == RetrainStatus.REJECTED)


def history(workspace: Workspace, ctx: SignalContext, now: datetime) -> History:
    """Retrains that started, from both the state store (attempts) and MLflow (retrain runs):
    either alone may be fresh (a CI runner with a new SQLite file still sees MLflow's runs)."""
    policy = workspace.config.policy
    model = workspace.config.model.name
    window = max(policy.cooldown, policy.max_retrains.per if policy.max_retrains else timedelta(0))
    started: list[decisions.Started] = []
    with workspace.store.transaction() as conn:
        started += decisions.retrains_started_since(conn, model, now - window)
        flight = decisions.in_flight(conn, model, now)
        untrained = decisions.untrained_data_versions(conn, model)
    metric_after = f"{workspace.config.model.metric}_after"
    for run in ctx.retrains:
        key = run.tags.get(tags.DECISION_ID) or run.run_id
        nothing = run.tags.get(tags.STATUS) in _FAILED and metric_after not in run.metrics
        started.append(decisions.Started(key, run.started_at, nothing))
    times, failures = _retrain_times(started)
    refused: set[str] = set()
    for run in ctx.retrains:
        status, version = run.tags.get(tags.STATUS), run.data_version
        if version is None:
            continue
        # A retrain refused by validation trained on its data all the same: retraining that
        # data again would build the same model and be refused again.
        if status == RetrainStatus.REJECTED and tags.INCOMPARABLE not in run.tags:
            refused.add(version)
        # A repro that ran no stage: the same inputs would build nothing again.
        if status == RetrainStatus.NOTHING_TO_TRAIN:
            untrained.setdefault(version, run.tags.get(tags.DECISION_ID) or run.run_id)
    pending = (
        Pending(flight.decision_id, flight.approval_id, flight.state == "approved")
        if flight is not None
        else None
    )
    return History(
        retrain_times=times,
        untrained_failures=failures,
        trained_data_version=ctx.trained_data_version,
        refused_data_versions=frozenset(refused),
        untrained_data_versions=untrained,
        pending=pending,
    )


_FAILED = frozenset({RetrainStatus.FAILED, RetrainStatus.INTERRUPTED, RetrainStatus.BUSY})


def _retrain_times(
    started: list[decisions.Started],
) -> tuple[tuple[datetime, ...], tuple[datetime, ...]]:
    """When each decision's retrain started (a resumed decision is one retrain, from its first
    attempt), and when decisions whose every attempt trained nothing last tried."""
    times: dict[str, datetime] = {}
    failed: dict[str, datetime] = {}
    for one in started:
        if one.trained_nothing:
            failed[one.decision_id] = max(
                one.started_at, failed.get(one.decision_id, one.started_at)
            )
        else:
            times[one.decision_id] = min(one.started_at, times.get(one.decision_id, one.started_at))
    tried = tuple(t for key, t in failed.items() if key not in times)
    return tuple(times.values()), tried
