"""``retrigger check``: read the signals, apply the policy, store the decision."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from retrigger.approvals import flow as approval_flow
from retrigger.data.formats import Unavailable
from retrigger.decision import Decision, Reading, new_decision_id
from retrigger.lineage import snapshot, tags
from retrigger.lineage.status import RetrainStatus
from retrigger.notify import linking
from retrigger.notify.links import Where
from retrigger.notify.payloads import decision_payload, superseded_payload
from retrigger.policy import History, Pending, TriedInputs, decide
from retrigger.signals.base import Signal
from retrigger.signals.context import SignalContext
from retrigger.signals.registry import configured
from retrigger.store import Connection, arrivals, decisions, outbox
from retrigger.units import format as fmt
from retrigger.workspace import Workspace

if TYPE_CHECKING:
    from retrigger.data.inputs import Inputs

log = logging.getLogger(__name__)

# Who asked for the approval of a decision `check` fired: no person, so anyone may approve it.
CHECK = "retrigger check"


@dataclass(frozen=True)
class ArrivalCheck:
    """The check that answers one data arrival: a new decision, or the one that already did."""

    decision: Decision | None
    covered_by: str | None = None  # the earlier decision, when this check stored none


def check(workspace: Workspace) -> Decision:
    """Evaluate every configured signal and store the decision with its reasons.

    Any bad input raises before anything is stored: a decision is only ever stored whole.
    """
    decision = _evaluate(workspace)
    _store(workspace, decision)
    log.info("decision %s stored (fire: %s)", decision.id, decision.fire)
    return decision


def peek(workspace: Workspace) -> Decision:
    """``check --dry-run``: the signals read and the policy applied, nothing stored or sent."""
    decision = _evaluate(workspace)
    log.info("dry run: decision %s not stored, nothing announced", decision.id)
    return decision


def check_arrival(workspace: Workspace, data_version: str) -> ArrivalCheck:
    """The check for one arrival of ``data_version``, once: a second push of the same version
    (after the first, or at the same moment) stores no decision and names the first one."""
    model = workspace.config.model.name
    earlier = arrivals.covered_by(workspace.store, model, data_version)
    if earlier is not None:
        return ArrivalCheck(None, earlier)
    decision = _evaluate(workspace)
    if _store(workspace, decision, arrival=data_version):
        return ArrivalCheck(decision)
    return ArrivalCheck(None, arrivals.covered_by(workspace.store, model, data_version))


def _evaluate(workspace: Workspace) -> Decision:
    """Read the signals and apply the policy; nothing is stored."""
    config = workspace.config
    # Open the state store first: an unreachable database is reported within seconds,
    # before the slow reads of MLflow and the data, and before anything is decided.
    _ = workspace.store
    now = workspace.clock()
    ctx = SignalContext(workspace.loaded, workspace.tracking, now, store=workspace.store)
    now_holds = snapshot.current(workspace.root, config.data)
    current_version = now_holds.data_version
    readings = _realised(
        workspace, tuple(_read(signal, ctx) for signal in configured(config.signals))
    )
    history = _with_inputs(_history(workspace, ctx, now), workspace, ctx, readings, current_version)
    verdict = decide(readings, history, config.policy, current_version, now)
    return Decision(
        id=new_decision_id(now),
        model=config.model.name,
        created_at=now,
        fire=verdict.fire,
        wanted=verdict.wanted,
        trigger_types=verdict.trigger_types,
        held_by=verdict.held_by,
        hold_detail=verdict.hold_detail,
        readings=readings,
        data_version=current_version,
        data_paths=now_holds.data_paths,
        git_commit=now_holds.git_commit,
        config=config.model_dump(mode="json", include={"signals", "policy"}),
        fetched=tuple(ctx.fetched),
    )


def _store(workspace: Workspace, decision: Decision, arrival: str | None = None) -> bool:
    """Store the decision and announce it, in one transaction; with ``arrival``, only if no
    other decision answers that arrival yet (False, nothing stored)."""
    config = workspace.config
    now = decision.created_at
    # Built before the transaction: it may ask MLflow for the experiment.
    where = linking.where(workspace) if decision.fire else None
    links = where.links(config.model.name, decision_id=decision.id) if where else {}
    with workspace.store.transaction() as conn:
        if arrival is not None and not arrivals.claim(conn, decision.model, arrival, decision.id):
            return False
        decisions.save(conn, decision)
        if decision.fire:
            # Announced in the same transaction: never a lost notification.
            _close_older(workspace, conn, decision, where)
            _announce(workspace, conn, decision, links, now)
    return True


def _close_older(
    workspace: Workspace, conn: Connection, decision: Decision, where: Where | None
) -> None:
    """A fired decision nobody ran is replaced by this one, not counted as a retrain; it and
    an approval whose time ran out say so in their threads (their alerts are redrawn)."""
    slack = workspace.config.slack
    approval_flow.expire_due(conn, slack, decision.created_at, where)
    newer = where.decision_link(decision.id, "Newer decision") if where else {}
    for older in decisions.supersede_unrun(conn, decision):
        outbox.enqueue(
            conn,
            outbox.DECISION_SUPERSEDED,
            superseded_payload(decision, older, newer),
            channel=slack.channel,
            now=decision.created_at,
            thread_key=older,
        )


def _announce(
    workspace: Workspace, conn: Connection, decision: Decision, links: dict[str, str], now: datetime
) -> None:
    config = workspace.config
    if config.policy.approval == "required":
        # Ask where the alert is: the first message of the decision carries Approve / Reject,
        # and `run` finds this approval instead of asking again.
        approval_flow.request(
            conn, decision, decision.requested_by or CHECK, config.slack, now, links
        )
    else:
        outbox.enqueue(
            conn,
            outbox.TRIGGER_FIRED,
            decision_payload(decision, links),
            channel=config.slack.channel,
            now=now,
            thread_key=decision.id,
        )
    for chart in _charts(workspace, decision):  # uploaded in the decision's thread
        outbox.enqueue(
            conn,
            outbox.FILE_UPLOAD,
            chart,
            channel=config.slack.channel,
            now=now,
            thread_key=decision.id,
        )


def _with_inputs(
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


def _realised(workspace: Workspace, readings: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """A labelled metric beside what an earlier check estimated for the same rows."""
    if not any("rows" in r.extra for r in readings):
        return readings
    from retrigger.estimation.realised import against_estimates

    with workspace.store.transaction() as conn:
        earlier = decisions.earlier_estimates(conn, workspace.config.model.name)
    return against_estimates(readings, earlier)


def _read(signal: Signal, ctx: SignalContext) -> Reading:
    """One signal's reading; data that cannot be had makes it unknown, never stops the check."""
    started = time.monotonic()
    try:
        reading = signal.read(ctx)
    except Unavailable as exc:
        reading = Reading(signal.kind, None, None, False, str(exc), unknown=True)
    log.info(
        "signal %s: %s, %s against %s, read in %s: %s",
        reading.kind,
        reading.state,
        fmt.signal_value(reading.kind, reading.value),
        fmt.signal_value(reading.kind, reading.threshold),
        fmt.duration(time.monotonic() - started),
        reading.detail,
    )
    return reading


def _charts(workspace: Workspace, decision: Decision) -> list[dict[str, object]]:
    """A fired drift signal's chart (PNG, shown inline) and its whole report (HTML, opened
    from Slack), as upload payloads for the decision's thread."""
    files = (("report_png", "drift by column"), ("report_html", "drift report (HTML)"))
    return [
        {
            "model": decision.model,
            "decision_id": decision.id,
            "path": str(workspace.root / str(r.extra[key])),
            "title": f"{decision.model}: {title}",
        }
        for r in decision.readings
        if r.kind == "drift" and r.fired
        for key, title in files
        if r.extra.get(key)
    ]


def _history(workspace: Workspace, ctx: SignalContext, now: datetime) -> History:
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


def report_decision(decision: Decision, environ: Mapping[str, str], stream: TextIO) -> None:
    """The decision's table in $GITHUB_STEP_SUMMARY and an annotation, when a CI sets them."""
    from retrigger.integrations import ci

    ci.append_summary(environ, ci.decision_summary(decision))
    ci.annotate(environ, ci.decision_annotation(decision), stream)


def write_gitlab_dotenv(path: Path, decision: Decision) -> None:
    """CHECK_RETRAIN=, CHECK_DECISION_ID=, CHECK_TRIGGER_TYPES= for GitLab's ``artifacts:
    reports: dotenv`` (prefixed: a DECISION_ID typed into "Run pipeline" must not clash)."""
    from retrigger.integrations import ci

    outputs = ci.decision_outputs(decision)
    ci.write_dotenv(path, {f"check_{key}": value for key, value in outputs.items()})
