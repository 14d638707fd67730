"""The one plotting library of the reports: matplotlib, imported on use (it costs half a
second, and hooks and ``--help`` must not pay it). Figures become inline SVG for the HTML pages
or PNG for Slack, drawn the same way."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Text stays text in the SVG (searchable, read by screen readers, selectable); a fixed salt
# gives the same ids for the same chart, so the same input writes the same page.
_RC: Any = {"svg.fonttype": "none", "svg.hashsalt": "retrigger", "font.size": 9}


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def figure(width: float, height: float, rows: int = 1, **options: Any) -> Iterator[Any]:
    """A figure and its axes (``rows`` stacked, a 2-D array), closed on leaving."""
    import matplotlib

    plt = pyplot()
    with matplotlib.rc_context(_RC):
        fig, axes = plt.subplots(
            rows, 1, figsize=(width, height), dpi=100, squeeze=False, **options
        )
        try:
            yield fig, axes
        finally:
            plt.close(fig)


def to_svg(fig: Any) -> str:
    """The ``<svg>`` element, ready to inline (no XML prolog, no date)."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    head, _, rest = text.partition(" <metadata>")
    return head + rest.partition("</metadata>\n")[2] if rest else text


def to_png(fig: Any) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
