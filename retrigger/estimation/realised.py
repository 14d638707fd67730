"""When the labels arrive: the realised metric beside what was estimated for the same rows.

"The same rows" is their content, not a file name: an estimate records a key of its rows'
feature values (order-insensitive), and a labelled reading of rows with the same feature values
— the unlabelled file later labelled, whatever it is called — is compared with the newest
estimate of that key. Both numbers are then in the reading: the realised one decides, the
estimate says how far off it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from retrigger.decision import Reading
from retrigger.store.decisions import StoredEstimate


def rows_key(features: Any) -> str:
    """A key of a DataFrame's rows: the same values in any row order and column order."""
    import numpy as np
    import pandas as pd

    ordered = features[sorted(map(str, features.columns))]
    hashes = np.sort(pd.util.hash_pandas_object(ordered, index=False).to_numpy())
    digest = hashlib.sha256(",".join(ordered.columns).encode())
    digest.update(hashes.tobytes())
    return digest.hexdigest()[:16]


def against_estimates(
    readings: Sequence[Reading], earlier: Sequence[StoredEstimate]
) -> tuple[Reading, ...]:
    """``readings`` with each labelled performance reading compared to the newest estimate of
    the same rows and metric, when there is one."""
    return tuple(_against(reading, earlier) for reading in readings)


def _against(reading: Reading, earlier: Sequence[StoredEstimate]) -> Reading:
    rows = reading.extra.get("rows")
    if reading.value is None or not isinstance(rows, dict) or "estimate" in reading.extra:
        return reading
    match = next(
        (
            e
            for e in earlier
            if e.rows_key == rows.get("rows_key") and e.metric == rows.get("metric")
        ),
        None,
    )
    if match is None:
        return reading
    inside = match.low <= reading.value <= match.high
    error = reading.value - match.value
    said = (
        f"; estimated {match.value:.4g} (95% interval {match.low:.4g}–{match.high:.4g}) for "
        f"these rows by decision {match.decision_id}: the realised value is "
        f"{'inside' if inside else 'outside'} the interval, off by {error:+.4g}"
    )
    compared = {
        "decision_id": match.decision_id,
        "value": match.value,
        "low": match.low,
        "high": match.high,
        "error": error,
        "inside": inside,
    }
    return replace(
        reading, detail=reading.detail + said, extra={**reading.extra, "estimated": compared}
    )
