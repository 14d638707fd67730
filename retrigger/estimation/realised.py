"""When the labels arrive: the realised metric beside what was estimated for the same rows.

"The same rows" is their content, not a file name: an estimate records a key of its rows'
feature values (order-insensitive), and a labelled reading of rows with the same feature values
— the unlabelled file later labelled, whatever it is called — is compared with the newest
estimate of that key. Both numbers are then in the reading: the realised one decides, the
estimate says how far off it was.

A metrics file names no rows: it is compared only when ``dvc.lock`` shows that the stage which
wrote it read (directly or upstream) the very file an estimate was made on, by md5; otherwise the
reading says why not (``estimated: {"unknown": why}``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from retrigger.data.produced import produced_from
from retrigger.decision import Reading
from retrigger.errors import BadInput
from retrigger.store.estimates import StoredEstimate


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
    readings: Sequence[Reading], earlier: Sequence[StoredEstimate], root: Path
) -> tuple[Reading, ...]:
    """``readings`` with each realised performance reading compared to the newest estimate of
    the same rows and metric, when there is one (``earlier``: newest first)."""
    return tuple(_against(reading, earlier, root) for reading in readings)


def _against(reading: Reading, earlier: Sequence[StoredEstimate], root: Path) -> Reading:
    if reading.kind != "performance" or reading.value is None or "estimate" in reading.extra:
        return reading
    rows, measured = reading.extra.get("rows"), reading.extra.get("measured")
    if isinstance(rows, dict):
        match = next(
            (
                e
                for e in earlier
                if e.rows_key == rows.get("rows_key") and e.metric == rows.get("metric")
            ),
            None,
        )
        return reading if match is None else _compared(reading, match, "these rows")
    if isinstance(measured, dict):
        same = [e for e in earlier if e.metric == measured.get("metric")]
        return _from_metrics(reading, same, root)
    return reading


def _from_metrics(reading: Reading, earlier: Sequence[StoredEstimate], root: Path) -> Reading:
    """A metric read from a file (or MLflow) names no rows: compared only when ``dvc.lock``
    proves the stage that wrote the file read the very file an estimate was made on."""
    if not earlier:
        return reading  # nothing was estimated: nothing to say
    measured = reading.extra["measured"]
    assert isinstance(measured, dict)
    path = measured.get("file")
    if not path:
        return _not_compared(reading, "the metric comes from an MLflow run, which names no rows")
    try:
        produced = produced_from(root, str(path))
    except BadInput as exc:
        return _not_compared(reading, str(exc))
    if isinstance(produced, str):
        return _not_compared(reading, produced)
    match = next((e for e in earlier if e.data_md5 in produced.inputs.values()), None)
    if match is None:
        newest = earlier[0]
        return _not_compared(
            reading,
            f"stage {produced.stage}, which wrote {path}, read none of the files an estimate "
            f"was made on (the newest: {newest.data_path} md5 {str(newest.data_md5)[:8]}, "
            f"decision {newest.decision_id})",
        )
    what = (
        f"{match.data_path} (md5 {str(match.data_md5)[:8]}), which stage {produced.stage} read "
        f"to write {path},"
    )
    return _compared(reading, match, what)


def _not_compared(reading: Reading, why: str) -> Reading:
    return replace(
        reading,
        detail=f"{reading.detail}; not compared with the earlier estimate: {why}",
        extra={**reading.extra, "estimated": {"unknown": why}},
    )


def _compared(reading: Reading, match: StoredEstimate, rows: str) -> Reading:
    assert reading.value is not None
    inside = match.low <= reading.value <= match.high
    error = reading.value - match.value
    said = (
        f"; estimated {match.value:.4g} (95% interval {match.low:.4g}–{match.high:.4g}) for "
        f"{rows} by decision {match.decision_id}: the realised value is "
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
