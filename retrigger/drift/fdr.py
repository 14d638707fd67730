"""Benjamini–Hochberg: which of m p-values to reject so that the expected share of false
rejections among the rejections stays at most ``q`` (Benjamini & Hochberg 1995, step-up).

Calibrated drift tests every column at once; testing each at 0.05 alone gives 20 columns a 64 %
chance of at least one false column per check. BH splits the level across the columns instead,
and under the global null (no column drifts) it rejects anything with probability at most q.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def rejected(p_values: Sequence[float], q: float) -> list[bool]:
    """Reject the k smallest p-values, k the largest rank with ``p_(k) <= k q / m``."""
    if not 0 < q < 1:
        raise ValueError(f"the false discovery rate q must be in (0, 1), not {q}")
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    passes = p[order] <= q * np.arange(1, m + 1) / m
    k = int(np.flatnonzero(passes).max()) + 1 if passes.any() else 0
    out = np.zeros(m, dtype=bool)
    out[order[:k]] = True
    return [bool(x) for x in out]


def adjusted(p_values: Sequence[float]) -> list[float]:
    """BH-adjusted p-values: a column is rejected at q exactly when its adjusted value <= q."""
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    monotone = np.minimum.accumulate(scaled[::-1])[::-1]  # step-up: min over larger ranks
    out = np.empty(m)
    out[order] = np.minimum(monotone, 1.0)
    return [float(x) for x in out]
