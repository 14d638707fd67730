"""``policy.mode: cost`` in a check: the fresh model's level (MLflow) and the increments the
earlier checks since that model stored (state store), handed to the pure ``signals.cost``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from retrigger.data.delta import compute_delta, from_md5s
from retrigger.data.versions import OutVersion
from retrigger.decision import Reading
from retrigger.lineage import tags
from retrigger.lineage.tracking import RunInfo
from retrigger.signals import cost
from retrigger.signals.context import SignalContext
from retrigger.signals.cost import Earlier, Fresh, RetrainCost, cost_reading, earlier_of
from retrigger.signals.retrain_seconds import PastRetrain, learned
from retrigger.store import attempts, decisions
from retrigger.workspace import Workspace


def with_cost(
    workspace: Workspace, ctx: SignalContext, readings: tuple[Reading, ...]
) -> tuple[Reading, ...]:
    """The readings, and the cost reading after them when the policy's mode is cost."""
    config = workspace.config
    prices = config.policy.cost
    if config.policy.mode != "cost" or prices is None:
        return readings
    fresh = fresh_level(ctx)
    earlier = _earlier(workspace, ctx, fresh) if fresh is not None else []
    measured = _measured(workspace, readings) if prices.retrain is None else None
    reading = cost_reading(
        readings, fresh, earlier, prices, config.model.greater_is_better, measured
    )
    return (*readings, reading)


def _measured(workspace: Workspace, readings: Sequence[Reading]) -> RetrainCost | None:
    """C from past retrains' repro durations, fitted on the rows they trained on and read at
    the rows of the data now (the volume reading's current side)."""
    with workspace.store.transaction() as conn:
        timed = attempts.repro_durations(conn, workspace.config.model.name)
    root = workspace.root
    past = [PastRetrain(t.seconds, _rows(root, t.data)) for t in timed]
    return learned(past, _rows_now(readings))


def _rows(root: Path, data: Sequence[tuple[str, str]]) -> float | None:
    if not data:
        return None
    new = {path: OutVersion(path, md5, None, None) for path, md5 in data}
    delta = compute_delta(root, from_md5s(list(new), {}), new, tolerant=True)
    counts = [d.new.rows for d in delta.paths]
    return None if None in counts else float(sum(c or 0 for c in counts))


def _rows_now(readings: Sequence[Reading]) -> float | None:
    volume = next((r for r in readings if r.kind == "volume"), None)
    delta = volume.extra.get("delta") if volume is not None else None
    paths = delta.get("paths") if isinstance(delta, dict) else None
    if not isinstance(paths, list) or not paths:
        return None
    counts = [(p.get("new") or {}).get("rows") for p in paths if isinstance(p, dict)]
    known = [float(c) for c in counts if isinstance(c, int | float)]
    return float(sum(known)) if counts and len(known) == len(counts) else None


def fresh_level(ctx: SignalContext) -> Fresh | None:
    """The fresh model's expected level (``signals.cost.expected``): the metric the last
    ``RECENT`` trained models had when trained, each its run's own metric (else the gate's
    ``_after``): the successful retrains', newest first, then the baseline run's."""
    run = ctx.trained_run
    if run is None:
        return None
    metric = ctx.config.model.metric
    runs = [r for r in ctx.retrains if r.tags.get(tags.STATUS) in tags.SUCCESSFUL_STATUSES]
    runs += [ctx.baseline] if ctx.baseline is not None else []
    levels: list[tuple[str, float]] = []  # newest first: (which run's which metric, level)
    for past in runs:  # the model in use's run first; a run without the metric is skipped
        level = _level(past, metric)
        if level is not None and len(levels) < cost.RECENT:
            which = "retrain" if past is not ctx.baseline else "baseline"
            levels.append((f"{which} run {past.run_id[:8]} {level[0]}", level[1]))
    value = cost.expected([v for _, v in reversed(levels)])
    if value is None:
        return Fresh(run.run_id, None, f"run {run.run_id[:8]} and earlier logged no {metric!r}")
    if len(levels) == 1:
        return Fresh(run.run_id, value, levels[0][0])
    said = ", ".join(f"{text} {level:.4g}" for text, level in levels)
    return Fresh(run.run_id, value, f"the mean of {len(levels)} runs' fresh levels ({said})")


def _level(run: RunInfo, metric: str) -> tuple[str, float] | None:
    for key in (metric, f"{metric}_after"):
        value = run.metrics.get(key)
        if value is not None and math.isfinite(value):
            return key, value
    return None


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
