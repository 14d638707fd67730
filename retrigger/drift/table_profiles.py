"""Profiles of two in-memory tables on the reference's layout, for the calibrated mode.

The calibrated effect sizes need only profiles (``profiles``): this builds them from the tables
the drift signal already opens, one column at a time, with the column kinds the compatible mode
infers (``columns.infer_kind``). Numerical columns are bucketed on ``bins`` reference quantiles,
categorical ones on the reference's ``top_k`` most frequent values (the rest is "other").
A column on one side only, of a kind neither numerical nor categorical, or with no value on a
side, is reported as skipped with the compatible mode's reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from retrigger.drift import columns as col
from retrigger.drift.profiles import ColumnLayout, ColumnProfile, DatasetProfile, Layout
from retrigger.drift.result import Skipped

if TYPE_CHECKING:
    from collections.abc import Sequence

    from retrigger.drift.io import Table

BINS = 1000  # reference quantile bins per numerical column (DuckDB engine's default too)
TOP_K = 100  # categories kept per categorical column; the rest count as "other"


@dataclass
class Profiled:
    reference: DatasetProfile
    current: DatasetProfile
    skipped: dict[str, Skipped] = field(default_factory=dict)


def profile_tables(
    reference: Table, current: Table, names: Sequence[str] | None = None
) -> Profiled:
    """Both tables' profiles on one layout fixed by the reference."""
    wanted = (
        list(names)
        if names
        else reference.names + [n for n in current.names if n not in set(reference.names)]
    )
    layouts: list[ColumnLayout] = []
    ref_cols: list[ColumnProfile] = []
    cur_cols: list[ColumnProfile] = []
    skipped: dict[str, Skipped] = {}
    for name in wanted:
        if name not in reference.names or name not in current.names:
            where = "only_in_reference" if name in reference.names else "only_in_current"
            skipped[name] = Skipped(name, "unknown", where)
            continue
        ref, cur = reference.column(name), current.column(name)
        kind = col.infer_kind(cur, ref, current.dtype(name), reference.dtype(name))
        if kind not in ("num", "cat"):
            skipped[name] = Skipped(name, kind, kind)
            continue
        made = _numerical(name, ref, cur) if kind == "num" else _categorical(name, ref, cur)
        if made is None:
            skipped[name] = Skipped(name, kind, "all_missing")
            continue
        layouts.append(made[0])
        ref_cols.append(made[1])
        cur_cols.append(made[2])
    layout = Layout(tuple(layouts))
    return Profiled(
        DatasetProfile(layout, reference.num_rows, 0, 1, tuple(ref_cols)),
        DatasetProfile(layout, current.num_rows, 0, 1, tuple(cur_cols)),
        skipped,
    )


Made = tuple[ColumnLayout, ColumnProfile, ColumnProfile] | None


def _numerical(name: str, ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> Made:
    r, c = col.numeric_values(ref), col.numeric_values(cur)
    if r.size == 0 or c.size == 0:
        return None
    edges = np.unique(np.quantile(r, np.linspace(0, 1, BINS + 1)))
    layout = ColumnLayout(name, "num", str(ref.type), edges=tuple(float(e) for e in edges))
    return layout, _num_profile(layout, len(ref), r), _num_profile(layout, len(cur), c)


def _num_profile(layout: ColumnLayout, rows: int, values: np.ndarray) -> ColumnProfile:
    buckets = np.searchsorted(np.asarray(layout.edges), values, side="left")
    counts = np.bincount(buckets, minlength=layout.n_buckets)
    low, high = float(values.min()), float(values.max())
    return ColumnProfile(layout.name, rows, rows - values.size, tuple(map(int, counts)), low, high)


def _categorical(name: str, ref: pa.ChunkedArray, cur: pa.ChunkedArray) -> Made:
    keys, ref_counts, cur_counts = col.category_counts(ref, cur)
    if ref_counts.sum() == 0 or cur_counts.sum() == 0:
        return None
    text = [str(k) for k in pc.cast(keys, pa.string()).to_pylist()]
    # The reference's most frequent values, ties broken by the value: a stable layout.
    top = sorted(range(len(text)), key=lambda i: (-int(ref_counts[i]), text[i]))[:TOP_K]
    top = [i for i in top if ref_counts[i] > 0]
    order = sorted(top, key=lambda i: text[i])
    layout = ColumnLayout(name, "cat", str(ref.type), keys=tuple(text[i] for i in order))
    return (
        layout,
        _cat_profile(name, len(ref), ref_counts, order),
        _cat_profile(name, len(cur), cur_counts, order),
    )


def _cat_profile(name: str, rows: int, counts: np.ndarray, order: list[int]) -> ColumnProfile:
    listed = [int(counts[i]) for i in order]
    other = int(counts.sum()) - sum(listed)
    return ColumnProfile(name, rows, rows - int(counts.sum()), (*listed, other))
