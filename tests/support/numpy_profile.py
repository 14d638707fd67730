"""A plain numpy/pyarrow profiler: the independent reference the profile tests hold DuckDB to."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from retrigger.drift.profiles import ColumnLayout, ColumnProfile, DatasetProfile, Layout


def column_profile(col: ColumnLayout, values: pa.ChunkedArray | pa.Array) -> ColumnProfile:
    rows = len(values)
    if col.kind == "num":
        x = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)  # null -> NaN
        finite = x[np.isfinite(x)]
        buckets = np.searchsorted(np.asarray(col.edges), finite, side="left")
        counts = np.bincount(buckets, minlength=col.n_buckets)
        low = float(finite.min()) if finite.size else None
        high = float(finite.max()) if finite.size else None
        return ColumnProfile(col.name, rows, rows - finite.size, tuple(map(int, counts)), low, high)
    text = [v for v in pc.cast(values, pa.string()).to_pylist() if v is not None]
    index = {k: i for i, k in enumerate(col.keys)}
    tally = [0] * col.n_buckets
    for v in text:
        tally[index.get(v, col.n_buckets - 1)] += 1
    return ColumnProfile(col.name, rows, rows - len(text), tuple(tally))


def table_profile(layout: Layout, table: pa.Table, nbytes: int = 0) -> DatasetProfile:
    columns = tuple(column_profile(c, table.column(c.name)) for c in layout.columns)
    return DatasetProfile(layout, table.num_rows, nbytes, 1, columns)


def quantile_layout(name: str, ref: np.ndarray, bins: int) -> ColumnLayout:
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
    return ColumnLayout(name, "num", "DOUBLE", edges=tuple(float(e) for e in edges))
