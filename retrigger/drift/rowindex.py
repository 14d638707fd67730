"""Where in the current rows a shift starts: each drifted column's test, run on consecutive
windows of the current rows against the whole reference (Evidently's row-index view).

A shift that begins at row 4,000 of an append-only file shows as windows under the threshold up
to there and past it after. Windows are small samples: a p-value test has less power on them
than on the whole side, so a window under the threshold is weak evidence of no change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrigger.drift import columns as col
from retrigger.drift.newrows import Rows
from retrigger.drift.samples import Sample
from retrigger.drift.stattests import get_test

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from retrigger.drift.io import Table
    from retrigger.drift.result import ColumnResult

WINDOWS = 20  # windows over the current rows
# Rows: windows of 500 rows of unchanged data already score past Wasserstein's 0.1 (noise).
MIN_WINDOW = 1000
MAX_COLUMNS = 6  # the most severe drifted columns get a view


@dataclass(frozen=True)
class Window:
    first: int  # row numbers in the current file, from 1 (a header line is not a row)
    last: int
    score: float
    drift: bool


@dataclass(frozen=True)
class RowView:
    column: str
    test: str
    threshold: float
    is_pvalue: bool
    windows: list[Window]

    @property
    def starts(self) -> Window | None:
        """Where the shift starts and stays: the first window from which every later window
        is past the threshold (a lone noisy window earlier does not count)."""
        found = None
        for window in reversed(self.windows):
            if not window.drift:
                break
            found = window
        return found


def row_views(reference: Table, current: Table, ranked: list[ColumnResult]) -> list[RowView]:
    """A view per drifted column, most severe first (``ranked`` is the page's order)."""
    drifted = [c for c in ranked if c.drift and c.type in ("num", "cat")][:MAX_COLUMNS]
    offset = current.start if isinstance(current, Rows) else 0
    views = []
    for result in drifted:
        if result.name not in reference.names or result.name not in current.names:
            continue
        test = get_test(result.test)
        if test is None:
            continue
        ref, cur = reference.column(result.name), current.column(result.name)
        # Sorted once: every window of a numerical column is held against the same values.
        ref_values = col.numeric_values(ref) if result.type == "num" else None
        windows = [
            _window(result, ref, ref_values, cur.slice(start, size), start, offset)
            for start, size in _spans(current.num_rows)
        ]
        views.append(RowView(result.name, result.test, result.threshold, test.is_pvalue, windows))
    return views


def _spans(rows: int) -> list[tuple[int, int]]:
    size = max(math.ceil(rows / WINDOWS), MIN_WINDOW)
    return [(start, min(size, rows - start)) for start in range(0, rows, size)]


def _window(
    result: ColumnResult,
    ref: pa.ChunkedArray,
    ref_values: np.ndarray | None,
    part: pa.ChunkedArray,
    start: int,
    offset: int,
) -> Window:
    test = get_test(result.test)
    assert test is not None
    if ref_values is not None:
        sample = Sample("num", ref=ref_values, cur=col.numeric_values(part))
    else:
        keys, ref_counts, cur_counts = col.category_counts(ref, part)
        sample = Sample("cat", keys=keys, ref_counts=ref_counts, cur_counts=cur_counts)
    score = test.score(sample) if sample.n_cur else float("nan")
    drifted = score == score and test.drifted(score, result.threshold)
    return Window(offset + start + 1, offset + start + len(part), score, drifted)
