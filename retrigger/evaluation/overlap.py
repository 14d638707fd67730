"""How many rows of one table are also rows of another: the leakage check of validation rows.

A gate that scores the champion on rows it was trained on favours it. This module answers
"how many of these validation rows are in that training data?" for any two row sources (the
drift reader's ``Table``: a file, a folder, or a data version in the DVC cache), so a stage's
test split can be checked the same way as ``validation.data``.

A row is the hash of its values on the columns both sides share. Numbers are compared as
float64 (``1`` and ``1.0`` are the same value whether CSV or Parquet typed them), everything
else as text, so a row written again by a split stage hashes the same. Above ``SAMPLE_ROWS``
validation rows a fixed random sample is checked against every training row and the count is
scaled up: the result says so. numpy, pandas and pyarrow are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

SAMPLE_ROWS = 100_000  # validation rows checked one by one; above, a fixed sample
_MIX = 0x100000001B3  # FNV-64 prime: combines the per-column hashes of one row


class RowSource(Protocol):
    """Rows read one column at a time (``retrigger.drift.io.Table`` is one)."""

    path: str
    num_rows: int

    @property
    def names(self) -> list[str]: ...

    def dtype(self, name: str) -> pa.DataType: ...

    def column(self, name: str) -> pa.ChunkedArray: ...


@dataclass(frozen=True)
class Overlap:
    """``rows`` of the ``of`` validation rows are also in ``against`` (the training data).

    ``sampled``: how many validation rows were checked when it was a sample (``rows`` is then
    scaled to all of them). ``unknown``: why it could not be measured (then ``rows`` is 0)."""

    rows: int
    of: int
    against: str
    columns: tuple[str, ...] = ()
    sampled: int | None = None
    unknown: str | None = None

    @property
    def found(self) -> bool:
        return self.unknown is None and self.rows > 0

    @property
    def share(self) -> float:
        return self.rows / self.of if self.of else 0.0

    def describe(self) -> str:
        """One line: the count, the share, against what, and how it was measured."""
        if self.unknown is not None:
            return f"overlap with {self.against} unknown: {self.unknown}"
        approx = "≈" if self.sampled is not None else ""
        how = f"; a sample of {self.sampled} rows checked" if self.sampled is not None else ""
        return (
            f"{approx}{self.rows} of {self.of} validation rows ({self.share:.0%}) are in "
            f"{self.against} (rows compared on {len(self.columns)} shared columns{how})"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "of": self.of,
            "against": self.against,
            "columns": list(self.columns),
            "sampled": self.sampled,
            "unknown": self.unknown,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Overlap:
        sampled = doc.get("sampled")
        return cls(
            int(doc.get("rows") or 0),
            int(doc.get("of") or 0),
            str(doc.get("against") or "the training data"),
            tuple(str(c) for c in doc.get("columns") or ()),
            None if sampled is None else int(sampled),
            doc.get("unknown"),
        )


def measure(
    validation: RowSource,
    training: Sequence[RowSource],
    against: str,
    sample_rows: int = SAMPLE_ROWS,
    held_out: Sequence[RowSource] = (),
) -> Overlap:
    """How many rows of ``validation`` occur in any of the ``training`` sources, leaving out
    rows of ``held_out`` (what the champion was validated on: a stage that splits its own input
    reads those rows too, without training on them)."""
    import numpy as np

    total = validation.num_rows
    if not training:
        return Overlap(0, total, against, unknown="no training data to compare with")
    shared = [n for n in validation.names if all(n in source.names for source in training)]
    width = len(validation.names)
    if len(shared) < 2 or 2 * len(shared) < width:
        # A label column alone (or a few) would call every row seen: too little to tell rows apart.
        return Overlap(
            0,
            total,
            against,
            tuple(shared),
            unknown=f"the validation rows share {len(shared)} of their {width} columns with "
            "it: too few to tell rows apart",
        )
    picked = _sample(total, sample_rows)
    held_out = [h for h in held_out if all(n in h.names for n in shared)]
    # One reading per column for every side, so equal values hash alike on all of them.
    sides = [validation, *training, *held_out]
    numeric = {n: all(_is_number(side.dtype(n)) for side in sides) for n in shared}
    mine = _row_hashes(validation, numeric, picked)
    theirs = np.unique(np.concatenate([_row_hashes(s, numeric, None) for s in training]))
    for source in held_out:
        theirs = np.setdiff1d(theirs, _row_hashes(source, numeric, None))
    hits = int(np.count_nonzero(np.isin(mine, theirs, assume_unique=False)))
    if picked is None:
        return Overlap(hits, total, against, tuple(shared))
    scaled = round(hits * total / len(picked))
    return Overlap(scaled, total, against, tuple(shared), sampled=len(picked))


def _sample(total: int, limit: int) -> np.ndarray | None:
    """Fixed row positions to check (the same every run), or None to check every row."""
    if total <= limit:
        return None
    import numpy as np

    return np.sort(np.random.default_rng(0).choice(total, size=limit, replace=False))


def _row_hashes(
    source: RowSource, numeric: dict[str, bool], picked: np.ndarray | None
) -> np.ndarray:
    """One uint64 per row of ``source`` (or of its ``picked`` rows) over the columns of
    ``numeric`` (True: compared as numbers)."""
    import numpy as np
    from pandas.util import hash_array

    size = source.num_rows if picked is None else len(picked)
    combined = np.zeros(size, dtype=np.uint64)
    for name, as_number in numeric.items():
        column = source.column(name)
        if picked is not None:
            column = column.take(picked)
        values = _as_numpy(column, as_number)
        combined = np.multiply(combined, np.uint64(_MIX), dtype=np.uint64)
        combined ^= hash_array(values, categorize=False)
    return combined


def _is_number(dtype: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(dtype) or pa.types.is_floating(dtype))


def _as_numpy(column: pa.ChunkedArray, numeric: bool) -> np.ndarray:
    """Numbers as float64 (nulls NaN) when every side holds numbers there, else text."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if numeric:
        return np.asarray(
            pc.fill_null(column.cast(pa.float64()), float("nan")).to_numpy(), dtype=np.float64
        )
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    text = column.cast(pa.string())
    return np.asarray(pc.fill_null(text, "\x00null").to_numpy(zero_copy_only=False), dtype=object)
