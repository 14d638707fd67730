"""The policy: readings + history + now → verdict. Pure: no I/O, the clock is an argument."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from retrigger.config.durations import humanize
from retrigger.config.models import PolicyConfig
from retrigger.decision import Reading

COOLDOWN = "cooldown"
BUDGET = "budget"
IDENTICAL_INPUTS = "identical-inputs"
DUPLICATE_DATA = "duplicate-data"  # the name before identical-inputs; older decisions keep it
IN_FLIGHT = "in-flight"
RETRY_BACKOFF = "retry-backoff"  # a retrain failed before training anything, a short while ago
SUPERSEDED = "superseded"  # set on a fired decision nobody ran, by the next one that fires


@dataclass(frozen=True)
class Pending:
    """A retrain already asked for and not yet run: its decision and approval."""

    decision_id: str
    approval_id: str
    approved: bool  # approved and waiting to run; else awaiting approval


@dataclass(frozen=True)
class History:
    """What happened before, as far as the policy cares."""

    retrain_times: tuple[datetime, ...] = ()  # retrains that started (attempts), not decisions
    trained_data_version: str | None = None  # the data the last retrain (or baseline) used
    refused_data_versions: frozenset[str] = frozenset()  # data of retrains validation refused
    # Data of retrains whose `dvc repro` ran no stage (nothing-to-train), with their decisions.
    untrained_data_versions: Mapping[str, str] = field(default_factory=dict)  # version → decision
    pending: Pending | None = None  # a retrain awaiting approval or approved, not yet run
    # What the training depends on besides the data versions: the training stages compared
    # and what changed among their deps and params; None when that could not be compared.
    stages: tuple[str, ...] = ()
    changed_inputs: tuple[str, ...] | None = ()
    stale_inputs: tuple[str, ...] | None = ()  # what `dvc status` calls changed (dvc.lock)
    # Retrains that failed having trained nothing (no model, no metric): no full cooldown, a
    # short retry backoff instead; they still count against the budget.
    untrained_failures: tuple[datetime, ...] = ()
    # Set when params or code differ from dvc.lock but are what such a retrain's lock records.
    tried: TriedInputs | None = None


@dataclass(frozen=True)
class TriedInputs:
    """An earlier retrain on exactly the inputs now (data version, params, code, commands, as
    the ``dvc.lock`` it left records them) that built nothing promotable."""

    decision_id: str
    refused: bool  # validation refused its model; else its `dvc repro` ran no stage


@dataclass(frozen=True)
class Verdict:
    wanted: bool  # the signals ask for a retrain
    fire: bool  # ...and nothing holds it back
    trigger_types: tuple[str, ...]
    held_by: str | None = None
    hold_detail: str | None = None


def decide(
    readings: Sequence[Reading],
    history: History,
    policy: PolicyConfig,
    data_version: str | None,
    now: datetime,
) -> Verdict:
    fired = tuple(reading.kind for reading in readings if reading.fired)
    if policy.mode == "cost":
        # The other signals are recorded for the audit; only staleness against cost decides.
        fired = tuple(kind for kind in fired if kind == "cost")
        wanted = bool(fired)
    elif policy.fire_when == "all":
        wanted = bool(readings) and len(fired) == len(readings)
    else:
        wanted = bool(fired)
    if not wanted:
        return Verdict(wanted=False, fire=False, trigger_types=fired)
    hold = _hold(history, policy, data_version, now)
    if hold is not None:
        return Verdict(
            wanted=True, fire=False, trigger_types=fired, held_by=hold[0], hold_detail=hold[1]
        )
    return Verdict(wanted=True, fire=True, trigger_types=fired)


def _hold(
    history: History, policy: PolicyConfig, data_version: str | None, now: datetime
) -> tuple[str, str] | None:
    same_rest = history.changed_inputs == ()
    if same_rest and data_version is not None and data_version == history.trained_data_version:
        return IDENTICAL_INPUTS, (
            f"data version {data_version}{_unchanged(history)} are what "
            "the model in use was trained on; retraining would build an "
            "identical model"
        )
    if same_rest and data_version is not None and data_version in history.refused_data_versions:
        return IDENTICAL_INPUTS, (
            f"a retrain on data version {data_version} was refused by "
            f"validation, and data{_unchanged(history)} are unchanged: "
            "the same inputs would build the same model "
            "(`retrigger run --force --reason ...` to try anyway)"
        )
    untrained = history.untrained_data_versions.get(data_version or "")
    if untrained is not None and history.stale_inputs == ():
        return IDENTICAL_INPUTS, (
            f"decision {untrained} retrained on data version {data_version} and `dvc repro` "
            f"ran no stage: nothing had changed{_unchanged(history, ' in')}, and nothing has "
            "since (`retrigger run --force --reason ...` to try anyway)"
        )
    if history.tried is not None:
        return IDENTICAL_INPUTS, _tried(history.tried, data_version)
    if history.pending is not None:
        return IN_FLIGHT, _in_flight(history.pending)
    return _timing(history, policy, now)


def _tried(tried: TriedInputs, data_version: str | None) -> str:
    outcome = (
        "validation refused the model it built"
        if tried.refused
        else "`dvc repro` ran no stage (DVC's run cache held its outputs)"
    )
    return (
        f"decision {tried.decision_id} retrained on these exact inputs (data version "
        f"{data_version}; the training stages' params, code and commands as the dvc.lock it "
        f"left records them) and {outcome}; nothing has changed since "
        "(`retrigger run --force --reason ...` to try anyway)"
    )


def _timing(history: History, policy: PolicyConfig, now: datetime) -> tuple[str, str] | None:
    """Cooldown after a retrain, retry backoff after a failure that trained nothing, budget."""
    past = sorted((t for t in history.retrain_times if t <= now), reverse=True)
    if past and policy.cooldown and now - past[0] < policy.cooldown:
        until = past[0] + policy.cooldown
        return COOLDOWN, (
            f"last retrain {humanize(now - past[0])} ago; cooldown "
            f"{humanize(policy.cooldown)} lasts until {until.isoformat()}"
        )
    failed = sorted((t for t in history.untrained_failures if t <= now), reverse=True)
    backoff = min(policy.retry_backoff, policy.cooldown)  # never longer than a real retrain's
    if failed and backoff and now - failed[0] < backoff:
        until = failed[0] + backoff
        return RETRY_BACKOFF, (
            f"a retrain {humanize(now - failed[0])} ago failed before training anything; "
            f"retry backoff {humanize(backoff)} lasts until {until.isoformat()} "
            "(`retrigger run --force --reason ...` to retry now)"
        )
    budget = policy.max_retrains
    if budget is not None:
        recent = [t for t in (*past, *failed) if now - t < budget.per]
        if len(recent) >= budget.count:
            frees = min(recent) + budget.per
            return BUDGET, (
                f"{len(recent)} retrains in the last {humanize(budget.per)} "
                f"(budget {budget.count}); next allowed {frees.isoformat()}"
            )
    return None


def _in_flight(pending: Pending) -> str:
    if pending.approved:
        return (
            f"decision {pending.decision_id} was approved ({pending.approval_id}) and has "
            "not run yet; it retrains for the same need (`retrigger run --approved`)"
        )
    return (
        f"decision {pending.decision_id} is awaiting approval {pending.approval_id}; "
        "approve or reject it (`retrigger approve`) rather than ask twice"
    )


def _unchanged(history: History, joint: str = " and") -> str:
    if not history.stages:
        return ""
    return (
        f"{joint} the deps and params of stage{'s' if len(history.stages) > 1 else ''} "
        + ", ".join(history.stages)
    )
