"""Whether new rows lie where the reference can speak for them: per-feature range.

A row is outside when any numeric feature is beyond the reference's [min, max] or any other
feature holds a value the reference never had. Calibration learned on the reference says
nothing there, so a large share of such rows makes the estimate a guess.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def outside_share(reference: Any, new: Any) -> float:
    """The share of ``new`` rows (a DataFrame) outside the ``reference`` DataFrame's support."""
    import pandas as pd

    if len(new) == 0:
        return 0.0
    outside = np.zeros(len(new), dtype=bool)
    for column in new.columns:
        values = new[column]
        if column not in reference.columns:
            continue  # the model refuses what it does not know; said when it predicts
        seen = reference[column]
        if pd.api.types.is_numeric_dtype(values) and pd.api.types.is_numeric_dtype(seen):
            low, high = seen.min(), seen.max()
            outside |= ((values < low) | (values > high)).to_numpy()
        else:
            outside |= (~values.isin(set(seen.dropna())) & values.notna()).to_numpy()
    return float(outside.mean())
