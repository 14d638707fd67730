"""``retrigger check``: read the signals, apply the policy, store the decision."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from retrigger.decision import Decision, new_decision_id
from retrigger.lineage import snapshot, tags
from retrigger.lineage.status import RetrainStatus
from retrigger.notify import links as notify_links
from retrigger.notify.payloads import decision_payload
from retrigger.policy import History, decide
from retrigger.signals.context import SignalContext
from retrigger.signals.registry import configured
from retrigger.store import decisions, outbox
from retrigger.workspace import Workspace


def check(workspace: Workspace) -> Decision:
    """Evaluate every configured signal and store the decision with its reasons.

    Any bad input raises before anything is stored: a decision is only ever stored whole.
    """
    config = workspace.config
    # Open the state store first: an unreachable database is reported within seconds,
    # before the slow reads of MLflow and the data, and before anything is decided.
    _ = workspace.store
    now = workspace.clock()
    ctx = SignalContext(workspace.loaded, workspace.tracking, now)
    now_holds = snapshot.current(workspace.root, config.data)
    current_version = now_holds.data_version
    readings = tuple(signal.read(ctx) for signal in configured(config.signals))
    history = _history(workspace, ctx, now)
    verdict = decide(readings, history, config.policy, current_version, now)
    decision = Decision(
        id=new_decision_id(now), model=config.model.name, created_at=now, fire=verdict.fire,
        wanted=verdict.wanted, trigger_types=verdict.trigger_types, held_by=verdict.held_by,
        hold_detail=verdict.hold_detail, readings=readings, data_version=current_version,
        data_paths=now_holds.data_paths, git_commit=now_holds.git_commit,
        config=config.model_dump(mode="json", include={"signals", "policy"}),
    )
    with workspace.store.transaction() as conn:
        decisions.save(conn, decision)
        if decision.fire:  # announced in the same transaction: never a lost notification
            links = notify_links.links(ci_run=notify_links.ci_run_url(os.environ))
            outbox.enqueue(conn, outbox.TRIGGER_FIRED, decision_payload(decision, links),
                           channel=config.slack.channel, now=now, thread_key=decision.id)
            for chart in _charts(workspace, decision):  # uploaded in the decision's thread
                outbox.enqueue(conn, outbox.FILE_UPLOAD, chart, channel=config.slack.channel,
                               now=now, thread_key=decision.id)
    return decision


def _charts(workspace: Workspace, decision: Decision) -> list[dict[str, object]]:
    """The drift PNG of a fired drift signal, as an upload payload."""
    return [
        {"model": decision.model, "decision_id": decision.id,
         "path": str(workspace.root / str(r.extra["report_png"])),
         "title": f"{decision.model}: drift by column"}
        for r in decision.readings
        if r.kind == "drift" and r.fired and r.extra.get("report_png")
    ]


def _history(workspace: Workspace, ctx: SignalContext, now: datetime) -> History:
    """Retrains from both the state store and MLflow: either alone may be fresh (a CI runner
    with a new SQLite file still sees MLflow's runs)."""
    policy = workspace.config.policy
    window = max(policy.cooldown, policy.max_retrains.per if policy.max_retrains else timedelta(0))
    times: dict[str, datetime] = {}
    with workspace.store.transaction() as conn:
        for decision in decisions.fired_since(conn, workspace.config.model.name, now - window):
            times[decision.id] = decision.created_at
    for run in ctx.retrains:
        key = run.tags.get(tags.DECISION_ID) or run.run_id
        times.setdefault(key, run.started_at)
    # A retrain refused by validation trained on its data all the same: retraining that data
    # again would build the same model and be refused again.
    refused = frozenset(
        version for run in ctx.retrains
        if run.tags.get(tags.STATUS) == RetrainStatus.REJECTED
        and (version := run.data_version) is not None)
    return History(retrain_times=tuple(times.values()),
                   trained_data_version=ctx.trained_data_version,
                   refused_data_versions=refused)
