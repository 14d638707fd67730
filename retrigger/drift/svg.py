"""Paired bar charts as inline SVG, with real axes: y ticks as shares of rows, x ticks as bin
edges (numerical) or every category's name (categorical), and axis titles."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from retrigger.units import format as fmt

if TYPE_CHECKING:
    from retrigger.drift.plots import Plot

REF_COLOR, CUR_COLOR = "#4e79a7", "#e15759"
LEFT, TOP, RIGHT = 48, 8, 8
X_TICKS = 5  # numerical bin edges labelled
LABEL_CHARS = 14


def svg_bars(plot: Plot, column: str, width: int = 380, height: int = 200) -> str:
    """Reference and current shares side by side per bin or category."""
    bottom = 34 if plot.edges is not None else 58  # category names are written slanted
    inner_w, inner_h = width - LEFT - RIGHT, height - TOP - bottom
    top = max([*plot.reference, *plot.current, 1e-12])
    n = max(len(plot.labels), 1)
    slot = inner_w / n
    bar = max(slot / 2 - 1, 0.5)
    parts = []
    for i, (label, p, q) in enumerate(zip(plot.labels, plot.reference, plot.current, strict=True)):
        x = LEFT + i * slot
        for offset, share, color, side in (
            (0.0, p, REF_COLOR, "reference"),
            (bar, q, CUR_COLOR, "current"),
        ):
            h = share / top * inner_h
            parts.append(
                f"<rect x='{x + offset:.1f}' y='{TOP + inner_h - h:.1f}' width='{bar:.1f}' "
                f"height='{h:.1f}' fill='{color}'><title>{html.escape(label)} ({side}): "
                f"{fmt.percent(share)}</title></rect>"
            )
    parts.append(_y_axis(top, inner_h))
    parts.append(_x_axis(plot, slot, inner_w, inner_h, column, height))
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"role='img' font-size='10'>{''.join(parts)}</svg>"
    )


def _y_axis(top: float, inner_h: float) -> str:
    base = TOP + inner_h
    ticks = []
    for fraction in (0.0, 0.5, 1.0):
        y = base - fraction * inner_h
        ticks.append(
            f"<line x1='{LEFT - 4}' y1='{y:.1f}' x2='{LEFT}' y2='{y:.1f}' "
            f"stroke='#444'/><text class='ytick' x='{LEFT - 6}' y='{y + 3:.1f}' "
            f"text-anchor='end'>{fmt.percent(top * fraction, 2)}</text>"
        )
    title = (
        f"<text class='ytitle' transform='translate(10,{TOP + inner_h / 2:.1f}) "
        f"rotate(-90)' text-anchor='middle'>share of rows</text>"
    )
    line = f"<line x1='{LEFT}' y1='{TOP}' x2='{LEFT}' y2='{base}' stroke='#444'/>"
    return line + "".join(ticks) + title


def _x_axis(
    plot: Plot, slot: float, inner_w: float, inner_h: float, column: str, height: int
) -> str:
    base = TOP + inner_h
    parts = [f"<line x1='{LEFT}' y1='{base}' x2='{LEFT + inner_w}' y2='{base}' stroke='#444'/>"]
    if plot.edges is not None:
        count = len(plot.edges) - 1
        step = max(count // (X_TICKS - 1), 1)
        for i in range(0, count + 1, step):
            x = LEFT + i * slot
            parts.append(
                f"<line x1='{x:.1f}' y1='{base}' x2='{x:.1f}' y2='{base + 4}' "
                f"stroke='#444'/><text class='xtick' x='{x:.1f}' y='{base + 14}' "
                f"text-anchor='middle'>{fmt.number(plot.edges[i], 3)}</text>"
            )
    else:
        for i, label in enumerate(plot.labels):
            x = LEFT + (i + 0.5) * slot
            short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
            parts.append(
                f"<text class='xtick' x='{x:.1f}' y='{base + 10}' text-anchor='end' "
                f"transform='rotate(-40 {x:.1f} {base + 10})'><title>"
                f"{html.escape(label)}</title>{html.escape(short)}</text>"
            )
    parts.append(
        f"<text class='xtitle' x='{LEFT + inner_w / 2:.1f}' y='{height - 2}' "
        f"text-anchor='middle'>{html.escape(column)}</text>"
    )
    return "".join(parts)
