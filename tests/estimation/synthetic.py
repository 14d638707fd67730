"""Seeded rows whose truth is known: P(y=1|x) = sigmoid(2·x0 + x1), x2 a noisy copy of x0.

Covariate shift squeezes the rows towards the decision boundary (x ~ N(0, 0.5²) instead of
N(0, 1.5²)): P(x) moves, P(y|x) does not, and accuracy falls. Concept shift changes P(y|x).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

FEATURES = ["x0", "x1", "x2"]


def rows(rng: Any, n: int, scale: float, concept: bool = False) -> tuple[Any, Any]:
    import pandas as pd

    x0, x1 = rng.normal(0, scale, n), rng.normal(0, scale, n)
    frame = pd.DataFrame({"x0": x0, "x1": x1, "x2": x0 + rng.normal(0, 0.05, n)})
    logit = 2 * x0 - 1.5 * x1 if concept else 2 * x0 + x1
    labels = pd.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int), name="label")
    return frame, labels


@functools.cache
def world(seed: int = 0) -> dict[str, tuple[Any, Any]]:
    """Training, reference (held out), unshifted new, covariate-shifted and concept-shifted."""
    rng = np.random.default_rng(seed)
    return {
        "train": rows(rng, 3000, 1.5),
        "reference": rows(rng, 5000, 1.5),
        "same": rows(rng, 3000, 1.5),
        "covariate": rows(rng, 3000, 0.5),
        "concept": rows(rng, 3000, 0.5, concept=True),
    }
