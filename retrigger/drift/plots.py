"""Small distribution summaries for the reports, taken while a column is in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from retrigger.drift.samples import Sample

PLOT_BINS = 30
TOP_CATEGORIES = 12


@dataclass(frozen=True)
class Plot:
    """Reference and current shares per bin (num) or per category (cat), ready to draw."""

    labels: list[str]
    reference: list[float]
    current: list[float]

    def as_json(self) -> dict[str, object]:
        return {"labels": self.labels, "reference": self.reference, "current": self.current}


def plot_for(sample: Sample) -> Plot:
    if sample.kind == "num":
        return _histogram(sample.ref, sample.cur)
    return _top_categories(sample)


def _histogram(ref: np.ndarray, cur: np.ndarray) -> Plot:
    low, high = float(min(ref[0], cur[0])), float(max(ref[-1], cur[-1]))
    edges = np.linspace(low, high if high > low else low + 1, PLOT_BINS + 1)
    p = np.histogram(ref, edges)[0] / ref.size
    q = np.histogram(cur, edges)[0] / cur.size
    labels = [f"{edge:.4g}" for edge in edges[:-1]]
    return Plot(labels, [round(float(x), 6) for x in p], [round(float(x), 6) for x in q])


def _top_categories(sample: Sample) -> Plot:
    keys, ref_counts, cur_counts = sample.counts()
    ref_shares = ref_counts / max(int(ref_counts.sum()), 1)
    cur_shares = cur_counts / max(int(cur_counts.sum()), 1)
    top = np.argsort(-(ref_shares + cur_shares), kind="stable")[:TOP_CATEGORIES]
    p, q = ref_shares[top], cur_shares[top]
    labels = [str(keys[i]) for i in top]
    return Plot(labels, [round(float(x), 6) for x in p], [round(float(x), 6) for x in q])
