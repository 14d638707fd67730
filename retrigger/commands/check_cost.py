"""``policy.mode: cost`` in a check: the fresh model's level (MLflow) and the increments the
earlier checks since that model stored (state store), handed to the pure ``signals.cost``."""

from __future__ import annotations

import math

from retrigger.decision import Reading
from retrigger.signals.context import SignalContext
from retrigger.signals.cost import Earlier, Fresh, cost_reading, earlier_of
from retrigger.store import decisions
from retrigger.workspace import Workspace


def with_cost(
    workspace: Workspace, ctx: SignalContext, readings: tuple[Reading, ...]
) -> tuple[Reading, ...]:
    """The readings, and the cost reading after them when the policy's mode is cost."""
    config = workspace.config
    prices = config.policy.cost
    if config.policy.mode != "cost" or prices is None:
        return readings
    fresh = _fresh(ctx)
    earlier = _earlier(workspace, ctx, fresh) if fresh is not None else []
    reading = cost_reading(readings, fresh, earlier, prices, config.model.greater_is_better)
    return (*readings, reading)


def _fresh(ctx: SignalContext) -> Fresh | None:
    """The metric the model in use had when trained: the last successful retrain's run (its
    own metric, else the gate's ``_after``), else the baseline run's."""
    run = ctx.trained_run
    if run is None:
        return None
    metric = ctx.config.model.metric
    which = "retrain" if run is ctx.last_successful_retrain else "baseline"
    for key in (metric, f"{metric}_after"):
        value = run.metrics.get(key)
        if value is not None and math.isfinite(value):
            return Fresh(run.run_id, value, f"{which} run {run.run_id[:8]} {key}")
    return Fresh(run.run_id, None, f"{which} run {run.run_id[:8]} logged no {metric!r}")


def _earlier(workspace: Workspace, ctx: SignalContext, fresh: Fresh) -> list[Earlier]:
    """The stored cost readings of checks made against the same model in use, newest first."""
    run = ctx.trained_run
    start = run.started_at if run is not None else None
    with workspace.store.transaction() as conn:
        stored = decisions.since(conn, workspace.config.model.name, start, limit=10_000)
    found = []
    for decision in stored:
        for reading in decision.readings:
            one = earlier_of(decision.id, reading, fresh.run_id)
            if one is not None:
                found.append(one)
    return found
