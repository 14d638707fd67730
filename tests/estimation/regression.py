"""Seeded regression rows whose truth is known: y = x0 + 0.4·x0² + x1 + noise, the noise's
spread growing with |x0|, and a linear champion that cannot follow the curve.

Covariate shift moves the rows to where the champion errs most (x0 ~ N(2.5, 0.5²) instead of
N(0, 1.5²)): P(x) moves, P(y|x) does not, and the error grows. Concept shift flips x1's sign.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np


def rows(rng: Any, n: int, centre: float, scale: float, concept: bool = False) -> tuple[Any, Any]:
    import pandas as pd

    x0, x1 = rng.normal(centre, scale, n), rng.normal(0, 1.0, n)
    colour = rng.choice(["red", "green", "blue"], n)
    frame = pd.DataFrame({"x0": x0, "x1": x1, "colour": colour})
    signal = x0 + 0.4 * x0**2 + (-x1 if concept else x1) + (colour == "red") * 0.5
    noise = rng.normal(0, 0.2 + 0.3 * np.abs(x0), n)
    return frame, pd.Series(signal + noise, name="target")


@functools.cache
def world(seed: int = 0) -> dict[str, tuple[Any, Any]]:
    """Training, reference (held out), unshifted new, covariate-shifted and concept-shifted."""
    rng = np.random.default_rng(seed)
    return {
        "train": rows(rng, 3000, 0.0, 1.5),
        "reference": rows(rng, 5000, 0.0, 1.5),
        "same": rows(rng, 3000, 0.0, 1.5),
        "covariate": rows(rng, 3000, 2.5, 0.5),
        "concept": rows(rng, 3000, 2.5, 0.5, concept=True),
    }


def champion(seed: int = 0) -> Any:
    """A linear model on one-hot colours: right on average, wrong on the curve's ends."""
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["colour"]), remainder="passthrough"
    )
    return make_pipeline(encode, LinearRegression()).fit(*world(seed)["train"])
