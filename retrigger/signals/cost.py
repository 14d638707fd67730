"""The cost policy's reading (``policy.mode: cost``): staleness so far against a retrain's cost.

Not a registered signal: it is made from the other signals' readings, after them. Pure: the
readings of this check, the fresh model's expected level and the earlier checks' stored
increments in; one ``Reading`` of kind ``cost`` out. Each check adds::

    rows added since the previous check × policy.cost.staleness × max(0, fresh − metric now)

(mirrored when ``model.greater_is_better: false``), the arithmetic of ``backtest.cost``
(docs/backtest-cost.md) applied as the checks come. ``fresh`` is the fresh model's *expected*
level: the mean of the levels the last ``RECENT`` trained models had when trained (``expected``),
not the one level of the model in use. One level is one sample of a few hundred rows: a period
harder or easier than the one the model was trained at would count as staleness no retrain
removes (measured on the benchmark, docs/backtest-cost.md). The rows are the volume signal's
rows since the trained data, less what the previous check since the same model counted. The
reading fires when the increments since the model in use was trained reach
``policy.cost.retrain``. A check whose metric or rows are unknown adds nothing it cannot
measure: unknown, never fired.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from retrigger.config.models import CostConfig
from retrigger.decision import Reading

KIND = "cost"
RECENT = 5  # fresh levels averaged: the model in use's and up to 4 trained before it


def expected(levels: Sequence[float]) -> float | None:
    """The fresh model's expected level: the mean of the ``RECENT`` newest known ``levels``
    (oldest first, NaN unknown); None when none is known. Live and in the replay alike."""
    known = [v for v in levels if not math.isnan(v)][-RECENT:]
    return sum(known) / len(known) if known else None


@dataclass(frozen=True)
class Fresh:
    """The fresh model's expected level (``expected``), and which runs say so."""

    run_id: str  # the model in use's run, the anchor: increments are summed over its checks
    value: float | None  # None: no run logged such a metric
    source: str


@dataclass(frozen=True)
class RetrainCost:
    """C, and where it came from (``policy.cost.retrain``, or past retrains' durations)."""

    value: float | None  # None: neither set nor measured
    source: str


def retrain_cost(prices: CostConfig, measured: RetrainCost | None) -> RetrainCost:
    if prices.retrain is not None:
        return RetrainCost(prices.retrain, "policy.cost.retrain")
    if measured is not None:
        return measured
    return RetrainCost(
        None, "policy.cost.retrain is not set and no past retrain's duration is recorded"
    )


@dataclass(frozen=True)
class Earlier:
    """A stored cost reading of an earlier check of the same model in use."""

    decision_id: str
    increment: float | None  # None: unknown then
    rows: float | None  # the volume signal's rows since the trained data then


def earlier_of(decision_id: str, reading: Reading, anchor: str) -> Earlier | None:
    """What a stored cost reading contributes, if it was made against the same model."""
    extra = reading.extra
    if reading.kind != KIND or extra.get("fresh_run") != anchor:
        return None
    increment, rows = extra.get("increment"), extra.get("rows_since_trained")
    return Earlier(
        decision_id,
        float(increment) if isinstance(increment, int | float) else None,
        float(rows) if isinstance(rows, int | float) else None,
    )


def cost_reading(
    readings: Sequence[Reading],
    fresh: Fresh | None,
    earlier: Sequence[Earlier],  # newest first
    prices: CostConfig,
    greater_is_better: bool,
    measured: RetrainCost | None = None,  # C learned from past retrains, when not set
) -> Reading:
    retrain = retrain_cost(prices, measured)
    perf = next((r for r in readings if r.kind == "performance"), None)
    volume = next((r for r in readings if r.kind == "volume"), None)
    gap, why = _gap(perf, fresh, greater_is_better)
    rows_now = volume.value if volume is not None and not volume.unknown else None
    before = next((e.rows for e in earlier if e.rows is not None), 0.0)
    new_rows = max(0.0, rows_now - before) if rows_now is not None else None
    extra: dict[str, object] = {
        "increment": None,
        "rows_since_trained": rows_now,
        "new_rows": new_rows,
        "gap": gap,
        "fresh_run": fresh.run_id if fresh else None,
        "fresh": fresh.value if fresh else None,
        "price_per_row": prices.staleness,
        "earlier": [[e.decision_id, e.increment] for e in earlier],
        "retrain_cost_source": retrain.source,
    }
    if gap is None or new_rows is None or fresh is None:
        lost = [why] if gap is None else []
        if new_rows is None:
            lost.append("rows unknown: " + (volume.detail if volume else "no volume reading"))
        detail = "staleness unknown: " + "; ".join(lost)
        return Reading(KIND, None, retrain.value, False, detail, extra, unknown=True)
    increment = extra["increment"] = new_rows * prices.staleness * gap
    known = [e.increment for e in earlier if e.increment is not None]
    so_far = sum(known) + increment
    if retrain.value is None:  # the staleness is kept: a later check with C sums it
        detail = f"staleness so far {_k(so_far)}; retrain cost unknown: {retrain.source}"
        return Reading(KIND, None, None, False, detail, extra, unknown=True)
    fired = so_far >= retrain.value
    lower = len(earlier) - len(known)
    detail = (
        f"staleness so far {_k(so_far)} {'≥' if fired else '<'} retrain cost "
        f"{_k(retrain.value)} ({retrain.source}): this check {new_rows:g} new rows "
        f"(volume) × {prices.staleness:g} (policy.cost.staleness) × gap {gap:.4g} "
        f"({why}) = {_k(increment)}, + {_k(sum(known))} over {len(known)} earlier "
        f"check{'s' if len(known) != 1 else ''} since run {fresh.run_id[:8]}"
        + (f"; {lower} earlier unknown: a lower bound" if lower else "")
    )
    return Reading(KIND, so_far, retrain.value, fired, detail, extra)


def _gap(
    perf: Reading | None, fresh: Fresh | None, greater_is_better: bool
) -> tuple[float | None, str]:
    """The metric lost against the fresh model (never below 0), and where each number came from."""
    if perf is None or perf.unknown or perf.value is None:
        return None, "metric unknown: " + (perf.detail if perf else "no performance reading")
    if fresh is None:
        return None, "no retrain or baseline run: the fresh model's level is unknown"
    if fresh.value is None:
        return None, f"fresh level unknown: {fresh.source}"
    lost = fresh.value - perf.value if greater_is_better else perf.value - fresh.value
    return max(0.0, lost), f"fresh {fresh.value:.4g} from {fresh.source}, now {perf.value:.4g}"


def _k(value: float) -> str:
    """41230 → 41.2k: the scale a reader compares, the exact number is in --json."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.4g}"
