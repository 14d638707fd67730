"""``retrigger check``: read the signals, apply the policy, store the decision."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from retrigger.approvals import flow as approval_flow
from retrigger.commands import check_cost, check_history
from retrigger.data.formats import Unavailable
from retrigger.decision import Decision, Reading, new_decision_id
from retrigger.lineage import snapshot
from retrigger.notify import linking
from retrigger.notify.links import Where
from retrigger.notify.payloads import decision_payload, superseded_payload
from retrigger.policy import decide
from retrigger.signals.base import Signal
from retrigger.signals.context import SignalContext
from retrigger.signals.registry import configured
from retrigger.store import Connection, arrivals, decisions, outbox
from retrigger.units import format as fmt
from retrigger.workspace import Workspace

if TYPE_CHECKING:
    pass

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
    decision_id = new_decision_id(now)  # before the readings: the drift page names it
    now_holds = snapshot.current(workspace.root, config.data)
    ctx = SignalContext(
        workspace.loaded,
        workspace.tracking,
        now,
        store=workspace.store,
        decision_id=decision_id,
        snapshot=now_holds,
    )
    current_version = now_holds.data_version
    readings = _realised(
        workspace, tuple(_read(signal, ctx) for signal in configured(config.signals))
    )
    readings = check_cost.with_cost(workspace, ctx, readings)
    before = check_history.history(workspace, ctx, now)
    history = check_history.with_inputs(before, workspace, ctx, readings, current_version)
    verdict = decide(readings, history, config.policy, current_version, now)
    return Decision(
        id=decision_id,
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


def _realised(workspace: Workspace, readings: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """A realised metric beside what an earlier check estimated for the same rows."""
    if not any("rows" in r.extra or "measured" in r.extra for r in readings):
        return readings
    from retrigger.estimation.realised import against_estimates
    from retrigger.store.estimates import earlier_estimates

    with workspace.store.transaction() as conn:
        earlier = earlier_estimates(conn, workspace.config.model.name)
    return against_estimates(readings, earlier, workspace.root)


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
