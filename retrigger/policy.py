"""The policy: readings + history + now → verdict. Pure: no I/O, the clock is an argument."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from retrigger.config.durations import humanize
from retrigger.config.models import PolicyConfig
from retrigger.decision import Reading

COOLDOWN = "cooldown"
BUDGET = "budget"
DUPLICATE_DATA = "duplicate-data"
IN_FLIGHT = "in-flight"


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
    pending: Pending | None = None  # a retrain awaiting approval or approved, not yet run


@dataclass(frozen=True)
class Verdict:
    wanted: bool  # the signals ask for a retrain
    fire: bool  # ...and nothing holds it back
    trigger_types: tuple[str, ...]
    held_by: str | None = None
    hold_detail: str | None = None


def decide(readings: Sequence[Reading], history: History, policy: PolicyConfig,
           data_version: str | None, now: datetime) -> Verdict:
    fired = tuple(reading.kind for reading in readings if reading.fired)
    if policy.fire_when == "all":
        wanted = bool(readings) and len(fired) == len(readings)
    else:
        wanted = bool(fired)
    if not wanted:
        return Verdict(wanted=False, fire=False, trigger_types=fired)
    hold = _hold(history, policy, data_version, now)
    if hold is not None:
        return Verdict(wanted=True, fire=False, trigger_types=fired, held_by=hold[0],
                       hold_detail=hold[1])
    return Verdict(wanted=True, fire=True, trigger_types=fired)


def _hold(history: History, policy: PolicyConfig, data_version: str | None,
          now: datetime) -> tuple[str, str] | None:
    if data_version is not None and data_version == history.trained_data_version:
        return DUPLICATE_DATA, (f"data version {data_version} was already trained on; "
                                "retraining would build an identical model")
    if data_version is not None and data_version in history.refused_data_versions:
        return DUPLICATE_DATA, (f"a retrain on data version {data_version} was refused by "
                                "validation; the same data would build the same model "
                                "(`retrigger run --force --reason ...` to try anyway)")
    if history.pending is not None:
        return IN_FLIGHT, _in_flight(history.pending)
    past = sorted((t for t in history.retrain_times if t <= now), reverse=True)
    if past and policy.cooldown and now - past[0] < policy.cooldown:
        until = past[0] + policy.cooldown
        return COOLDOWN, (f"last retrain {humanize(now - past[0])} ago; cooldown "
                          f"{humanize(policy.cooldown)} lasts until {until.isoformat()}")
    budget = policy.max_retrains
    if budget is not None:
        recent = [t for t in past if now - t < budget.per]
        if len(recent) >= budget.count:
            frees = min(recent) + budget.per
            return BUDGET, (f"{len(recent)} retrains in the last {humanize(budget.per)} "
                            f"(budget {budget.count}); next allowed {frees.isoformat()}")
    return None


def _in_flight(pending: Pending) -> str:
    if pending.approved:
        return (f"decision {pending.decision_id} was approved ({pending.approval_id}) and has "
                "not run yet; it retrains for the same need (`retrigger run --approved`)")
    return (f"decision {pending.decision_id} is awaiting approval {pending.approval_id}; "
            "approve or reject it (`retrigger approve`) rather than ask twice")
