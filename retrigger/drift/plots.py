"""Small distribution summaries for the reports, taken while a column is in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from retrigger.drift.samples import Sample

PLOT_BINS = 30
MAX_CATEGORIES = 30  # named one by one; the rest are counted in the caption


@dataclass(frozen=True)
class Plot:
    """Reference and current shares per bin (num) or per category (cat), ready to draw.

    ``edges`` are the bin edges of a numerical column (one more than the labels); ``hidden``
    counts the categories left out of a categorical one (the least frequent)."""

    labels: list[str]
    reference: list[float]
    current: list[float]
    edges: list[float] | None = None
    hidden: int = 0

    def as_json(self) -> dict[str, object]:
        return {"labels": self.labels, "reference": self.reference, "current": self.current}


def plot_for(sample: Sample) -> Plot:
    if sample.kind == "num":
        return _histogram(sample.ref, sample.cur)
    return _categories(sample)


def _histogram(ref: np.ndarray, cur: np.ndarray) -> Plot:
    low, high = float(min(ref[0], cur[0])), float(max(ref[-1], cur[-1]))
    edges = np.linspace(low, high if high > low else low + 1, PLOT_BINS + 1)
    p = np.histogram(ref, edges)[0] / ref.size
    q = np.histogram(cur, edges)[0] / cur.size
    labels = [f"{edge:.4g}" for edge in edges[:-1]]
    return Plot(labels, _rounded(p), _rounded(q), edges=[float(e) for e in edges])


def _categories(sample: Sample) -> Plot:
    """The most frequent categories (both sides together), drawn in value order when the
    values are numbers (0..7 read as a scale) and by frequency otherwise."""
    keys, ref_counts, cur_counts = sample.counts()
    ref_shares = ref_counts / max(int(ref_counts.sum()), 1)
    cur_shares = cur_counts / max(int(cur_counts.sum()), 1)
    top = np.argsort(-(ref_shares + cur_shares), kind="stable")[:MAX_CATEGORIES]
    if keys.dtype.kind in "iufb":
        top = top[np.argsort(keys[top], kind="stable")]
    labels = [_label(keys[i]) for i in top]
    return Plot(
        labels, _rounded(ref_shares[top]), _rounded(cur_shares[top]), hidden=len(keys) - len(top)
    )


def _label(key: object) -> str:
    if isinstance(key, float | np.floating) and float(key).is_integer():
        return str(int(key))  # integer categories arrive as floats from the numeric path
    return str(key)


def _rounded(shares: np.ndarray) -> list[float]:
    return [round(float(x), 6) for x in shares]
