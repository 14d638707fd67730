"""The backtest's timelines, drawn by matplotlib (imported here, on use, because it costs half
a second): one chart per signal with its value and threshold at each commit in the signal's own
unit, and the retrains as vertical markers. The HTML page inlines each chart as SVG; ``--png``
stacks the same charts in one image."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from retrigger.units import format as fmt
from retrigger.units import plotting

if TYPE_CHECKING:
    from retrigger.backtest.replay import Replay

REPLAYED, REAL, CONFIGURED = "#b3261e", "#1f5fbf", "#888888"
VALUE, THRESHOLD, UNKNOWN = "#222222", "#d4a72c", "#777777"
_HOURS, _MINUTES = 24.0, 1440.0


@dataclass(frozen=True)
class Series:
    """One signal over the replayed commits: its value and threshold at each."""

    kind: str
    times: list[datetime]
    values: list[float | None]
    thresholds: list[float | None]


def series(replay: Replay) -> list[Series]:
    kinds = [r.kind for r in replay.results[0].readings] if replay.results else []
    found = []
    for index, kind in enumerate(kinds):
        readings = [result.readings[index] for result in replay.results]
        found.append(
            Series(
                kind,
                [r.point.commit.time for r in replay.results],
                [r.value for r in readings],
                [r.threshold for r in readings],
            )
        )
    return found


@dataclass(frozen=True)
class Marks:
    """When the retrains happened: replayed, real (MLflow), and under the configured policy
    (only on a what-if page with ``--compare``)."""

    replayed: list[datetime]
    real: list[datetime]
    configured: list[datetime]

    @classmethod
    def of(cls, replay: Replay, configured: Replay | None = None) -> Marks:
        return cls(
            [r.point.commit.time for r in replay.results if r.verdict.fire],
            [r.time for r in replay.real],
            [r.point.commit.time for r in configured.results if r.verdict.fire]
            if configured is not None
            else [],
        )


@dataclass(frozen=True)
class Unit:
    """How a signal's numbers read on an axis (values are multiplied by ``scale``), and how a
    threshold is said in words."""

    label: str
    scale: float
    tick: Callable[[float], str]
    said: Callable[[float], str]


def unit_for(kind: str, metric: str, values: list[float]) -> Unit:
    """The y axis of a signal; the schedule's age (kept in days) is shown in hours or minutes
    when the ages replayed stay under two days."""
    plain: Callable[[float], str] = lambda v: fmt.number(v, 3)  # noqa: E731
    if kind == "performance":
        return Unit(metric, 1.0, plain, plain)
    if kind == "schedule":
        biggest = max(values, default=0.0)
        scale, name = (1.0, "days")
        if biggest < 2:
            scale, name = (_HOURS, "hours") if biggest * _HOURS >= 2 else (_MINUTES, "minutes")
        return Unit(f"age of the trained data ({name})", scale, plain, fmt.days)
    if kind == "volume":
        rows: Callable[[float], str] = lambda v: fmt.count(round(v), "rows")  # noqa: E731
        return Unit("rows added since the trained data", 1.0, lambda v: fmt.number(round(v)), rows)
    if kind == "drift":
        return Unit("columns drifted (%)", 100.0, lambda v: f"{fmt.number(v, 3)}%", fmt.percent)
    return Unit(kind, 1.0, plain, plain)


def title_for(kind: str, metric: str) -> str:
    return {
        "performance": f"performance: {metric} at each commit, against its threshold",
        "schedule": "schedule: age of the data the model in use was trained on",
        "volume": "volume: rows added since the data the model was trained on",
        "drift": "drift: share of columns drifted since the trained data",
    }.get(kind, kind)


def svg(line: Series, marks: Marks, metric: str) -> str:
    """One signal's chart as an ``<svg>`` element to inline."""
    with plotting.figure(8.6, 2.6) as (fig, axes):
        draw(axes[0, 0], line, marks, metric)
        axes[0, 0].set_title(title_for(line.kind, metric), fontsize=10, loc="left")
        return plotting.to_svg(fig)


def png(lines: list[Series], marks: Marks, metric: str, title: str) -> bytes:
    """Every signal's chart stacked, sharing the time axis, as PNG bytes."""
    count = max(len(lines), 1)
    with plotting.figure(8.6, 2.3 * count + 0.8, rows=count, sharex=True) as (fig, axes):
        for ax, line in zip(axes[:, 0], lines, strict=False):
            draw(ax, line, marks, metric)
            ax.set_title(title_for(line.kind, metric), fontsize=9, loc="left")
        fig.suptitle(title, fontsize=10)
        return plotting.to_png(fig)


def draw(ax: Any, line: Series, marks: Marks, metric: str) -> None:
    """Value and threshold per commit, in the signal's unit; retrains as vertical lines."""
    from matplotlib.ticker import FuncFormatter

    values = [v for v in line.values if v is not None]
    limits = [v for v in line.thresholds if v is not None]
    unit = unit_for(line.kind, metric, values)
    _retrains(ax, line.kind, marks)
    if values and limits and min(limits) > 3 * max(values) >= 0:
        # A 30-day max age over ages of minutes would flatten the line to zero: say it instead.
        ax.set_ylim(0, max(max(values) * unit.scale * 1.15, 1))
        ax.plot([], [], color=THRESHOLD, linestyle="--", label=_above(unit, limits[-1]))
    else:
        _plot(ax, line.times, line.thresholds, unit, THRESHOLD, "threshold", **_STEPS)
    _plot(ax, line.times, line.values, unit, VALUE, "value", marker="o", markersize=3)
    missing = [t for t, v in zip(line.times, line.values, strict=True) if v is None]
    if missing:
        ax.plot(
            missing,
            [0.03] * len(missing),
            linestyle="none",
            marker="x",
            color=UNKNOWN,
            transform=ax.get_xaxis_transform(),
            label="unknown (not measured)",
        )
    ax.set_ylabel(unit.label, fontsize=9)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: unit.tick(v)))
    ax.set_xlabel("commit time (UTC)", fontsize=9)
    _dates(ax)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(axis="y", color="#eeeeee")


def _retrains(ax: Any, kind: str, marks: Marks) -> None:
    for times, color, style, label, gid in (
        (marks.configured, CONFIGURED, (0, (2, 3)), "retrain, configured policy", "configured"),
        (marks.real, REAL, (0, (6, 3)), "real retrain (MLflow)", "real"),
        (marks.replayed, REPLAYED, "-", "replayed retrain", "replayed"),
    ):
        for number, when in enumerate(times):
            ax.axvline(
                when,
                color=color,
                linestyle=style,
                linewidth=1.2,
                label=None if number else label,
                gid=f"{kind}-{gid}-retrain-{number}",  # unique in the page: tests count them
            )


def _plot(
    ax: Any,
    times: list[datetime],
    values: list[float | None],
    unit: Unit,
    color: str,
    label: str,
    **style: Any,
) -> None:
    pairs = [(t, v * unit.scale) for t, v in zip(times, values, strict=True) if v is not None]
    if pairs:
        xs, ys = zip(*pairs, strict=True)
        ax.plot(xs, ys, color=color, label=label, **style)


_STEPS = {"linestyle": "--", "drawstyle": "steps-post"}  # a threshold holds until the next commit


def _above(unit: Unit, threshold: float) -> str:
    return f"threshold {unit.said(threshold)}: above the chart"


def _dates(ax: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
