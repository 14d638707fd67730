"""The drift page's charts, drawn by matplotlib (``retrigger.plotting``) as inline SVG:
reference and current shares per bin or category, and a drifted column's score over the
current rows' index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrigger.drift.stattests import FULL_NAMES
from retrigger.units import format as fmt
from retrigger.units import plotting

if TYPE_CHECKING:
    from retrigger.drift.plots import Plot
    from retrigger.drift.rowindex import RowView

REF_COLOR, CUR_COLOR = "#4e79a7", "#e15759"
THRESHOLD, START = "#444444", "#b3261e"
LABEL_CHARS = 14
_P_FLOOR = 1e-16


def bars_svg(plot: Plot, column: str) -> str:
    """Reference and current shares side by side: numerical bins on a value axis, categories
    by name (slanted)."""
    from matplotlib.ticker import FuncFormatter

    with plotting.figure(4.2, 2.6) as (fig, axes):
        ax = axes[0, 0]
        if plot.edges is not None:
            lefts = plot.edges[:-1]
            widths = [b - a for a, b in zip(lefts, plot.edges[1:], strict=True)]
            half = [w / 2 for w in widths]
            ax.bar(lefts, plot.reference, half, align="edge", color=REF_COLOR, label="reference")
            ax.bar(
                [x + h for x, h in zip(lefts, half, strict=True)],
                plot.current,
                half,
                align="edge",
                color=CUR_COLOR,
                label="current",
            )
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, 3)))
        else:
            at = list(range(len(plot.labels)))
            ax.bar([x - 0.2 for x in at], plot.reference, 0.4, color=REF_COLOR, label="reference")
            ax.bar([x + 0.2 for x in at], plot.current, 0.4, color=CUR_COLOR, label="current")
            ax.set_xticks(at, [_short(label) for label in plot.labels], rotation=40, ha="right")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.percent(v, 2)))
        ax.set_ylabel("share of rows")
        ax.set_xlabel(column)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7, frameon=False)
        return plotting.to_svg(fig)


def rows_svg(view: RowView) -> str:
    """The column's score per window of current rows, the threshold, and where it is first
    crossed."""
    from matplotlib.ticker import FuncFormatter

    name = FULL_NAMES.get(view.test, view.test)
    with plotting.figure(8.6, 2.6) as (fig, axes):
        ax = axes[0, 0]
        known = [w for w in view.windows if w.score == w.score]
        # A p-value of 0 has no place on a log axis: drawn at the axis' floor.
        scores = [max(w.score, _P_FLOOR) if view.is_pvalue else w.score for w in known]
        ax.step(
            [w.first for w in known] + ([known[-1].last] if known else []),
            scores + scores[-1:],
            where="post",
            color="#222222",
            label=f"{name}, per window",
        )
        ax.axhline(view.threshold, color=THRESHOLD, linestyle="--", label="drift threshold")
        start = view.starts
        if start is not None:
            ax.axvline(start.first, color=START, label=f"shift starts: row {start.first:,}")
        if view.is_pvalue:
            ax.set_yscale("log")
            ax.set_ylabel("p-value (lower: drift)")
        else:
            ax.set_ylabel("score (higher: drift)")
        ax.set_xlabel("row of the current data")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(round(v))))
        ax.set_title(f"{view.column}: {name} over the current rows", fontsize=10, loc="left")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return plotting.to_svg(fig)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
