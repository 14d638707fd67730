"""The backtest page's cost chart (``--cost --html``): cumulative ``J`` at each period for the
replayed policy, the Oracle, the tuned fixed period and never retraining, and below it where
each one retrained. A curve stops where its cost needs a cell the matrix does not hold: what
comes after is unknown, never drawn as free."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from retrigger.backtest import charts, cost
from retrigger.backtest.pricing import Priced
from retrigger.units import plotting

TITLE = "cost over time: cumulative J (retrains + staleness) at each period"
UNKNOWN_LABEL = "J unknown from here on (a cell not recorded)"
COLORS = {"policy": charts.REPLAYED, "oracle": "#2e7d32", "fixed": charts.REAL, "never": "#555555"}


@dataclass(frozen=True)
class Curve:
    key: str  # policy, oracle, fixed, never: the SVG ids use it
    short: str  # the strip's row
    label: str  # the legend's
    cumulative: list[float | None]  # J of periods 0..j; None from the first unknown cell on
    retrains: tuple[int, ...]
    tuned_until: int = 0  # the fixed period: periods before this were tuned on (dotted)


def cumulative(problem: cost.CostProblem, retrains: Sequence[int]) -> list[float | None]:
    """``J`` of periods ``0..j`` for each ``j``; its last value is ``schedule_cost``'s."""
    at, model, total = set(retrains), 0, 0.0
    found: list[float | None] = []
    for j in range(problem.periods):
        if j in at and j > 0:
            model, total = j, total + problem.retrain_cost
        cell = cost.staleness(problem, model, j)
        total = math.nan if math.isnan(cell) else total + cell
        found.append(None if math.isnan(total) else total)
    return found


def curves(priced: Priced) -> list[Curve]:
    report, problem = priced.report, priced.problem
    if problem is None:
        return []
    found = []
    if report.policy is not None:
        found.append(_curve(problem, "policy", "policy", report.policy.retrains))
    found.append(_curve(problem, "oracle", "Oracle", report.oracle.retrains))
    fixed = report.fixed
    if fixed is not None and fixed.k is not None:
        until = fixed.tuned_on[1] + 1
        short = every(fixed.k)
        label = f"{short} (k tuned on periods 0-{until - 1}, dotted there)"
        retrains = tuple(cost.fixed_schedule(problem, fixed.k))
        found.append(Curve("fixed", short, label, cumulative(problem, retrains), retrains, until))
    found.append(_curve(problem, "never", "never", ()))
    return found


def every(k: int) -> str:
    return "every period" if k == 1 else f"every {k} periods"


def _curve(problem: cost.CostProblem, key: str, short: str, retrains: Sequence[int]) -> Curve:
    label = {"policy": "replayed policy", "oracle": "Oracle (hindsight)"}.get(key, "never retrain")
    return Curve(key, short, label, cumulative(problem, retrains), tuple(retrains))


def svg(lines: Sequence[Curve], times: Sequence[datetime]) -> str:
    """The chart as an ``<svg>`` element: the curves above, the retrains in a strip below."""
    options = {"sharex": True, "gridspec_kw": {"height_ratios": [3, 1.3]}}
    with plotting.figure(8.6, 3.8, rows=2, **options) as (fig, axes):
        top, strip = axes[0, 0], axes[1, 0]
        for line in lines:
            _draw(top, line, times)
        if any(None in line.cumulative for line in lines):  # one legend entry for every ×
            top.plot(
                [], [], marker="x", linestyle="none", color=charts.UNKNOWN, label=UNKNOWN_LABEL
            )
        top.set_title(TITLE, fontsize=10, loc="left")
        top.set_ylabel("cumulative J", fontsize=9)
        top.grid(axis="y", color="#eeeeee")
        top.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _strip(strip, lines, times)
        return plotting.to_svg(fig)


def _draw(ax: Any, line: Curve, times: Sequence[datetime]) -> None:
    color = COLORS[line.key]
    known = [(t, v) for t, v in zip(times, line.cumulative, strict=True) if v is not None]
    split = line.tuned_until
    if split and known:  # the periods k was tuned on, dotted: not a fair score
        head = known[: split + 1]
        ax.plot(*zip(*head, strict=True), color=color, linestyle=":", gid=f"cost-{line.key}-tuned")
        known = known[split:]
    if known:
        ax.plot(*zip(*known, strict=True), color=color, label=line.label, gid=f"cost-{line.key}")
    else:
        ax.plot([], [], color=color, label=f"{line.label}: J unknown")
    missing = next((j for j, v in enumerate(line.cumulative) if v is None), None)
    if missing is not None and missing > 0:
        ax.plot(
            [times[missing]],
            [line.cumulative[missing - 1]],
            marker="x",
            color=color,
            linestyle="none",
            gid=f"cost-{line.key}-unknown",
        )


def _strip(ax: Any, lines: Sequence[Curve], times: Sequence[datetime]) -> None:
    """One row per schedule, a tick at each retrain."""
    names = []
    for row, line in enumerate(reversed(lines)):
        when = [times[p] for p in line.retrains if 0 <= p < len(times)]
        ax.plot(
            when,
            [row] * len(when),
            linestyle="none",
            marker="|",
            markersize=10,
            color=COLORS[line.key],
            gid=f"cost-{line.key}-retrains",
        )
        names.append(f"{line.short} ({len(when)})")
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.set_xlabel("commit time (UTC)", fontsize=9)
    ax.set_title("where each retrained (count)", fontsize=8, loc="left")
    charts._dates(ax)
