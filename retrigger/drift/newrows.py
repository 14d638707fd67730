"""Append-only data: compare only the rows added since the reference.

When a data file only grows, the current file starts with the reference's rows; comparing the
whole file dilutes a shift in the new rows with the old ones (3000 old rows and 500 shifted new
ones read as a mild change). ``signals.drift.current`` chooses the current side:

- ``all``: every row of the current file;
- ``new``: the rows past the reference's row count (the file is taken to be append-only);
- ``auto`` (default): ``new`` when the current file's first rows equal the reference's rows,
  column by column, else ``all``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

from retrigger.drift.io import Table

Current = Literal["auto", "all", "new"]


class Rows(Table):
    """The rows of ``table`` from ``start`` on, read as a table (a view: it owns no file).

    Only ``column`` is sliced: ``files`` are still the whole table's, so an engine that reads
    the files itself (DuckDB) must be given the whole table, not a view."""

    def __init__(self, table: Table, start: int) -> None:
        # No Table.__init__: the files are the underlying table's, opened and closed by it.
        self._table = table
        self.start = start
        self.path = f"{table.path} rows {start + 1:,}–{table.num_rows:,}"
        self.files = table.files
        self.schema = table.schema
        self.num_rows = table.num_rows - start

    def column(self, name: str) -> pa.ChunkedArray:
        return self._table.column(name).slice(self.start)

    def close(self) -> None:
        """Nothing to close: the underlying table is closed by whoever opened it."""


@dataclass(frozen=True)
class Choice:
    """Which current rows were compared, and why (said on the page and in the reading)."""

    table: Table
    new_only: bool
    why: str


def choose(reference: Table, current: Table, mode: Current) -> Choice:
    if mode == "all":
        return Choice(current, False, "all rows of the current data (signals.drift.current: all)")
    extra = current.num_rows - reference.num_rows
    if mode == "new":
        if extra <= 0:
            return Choice(
                current,
                False,
                f"all rows: the current data has no row past the reference's "
                f"{reference.num_rows:,} (signals.drift.current: new)",
            )
        return Choice(
            Rows(current, reference.num_rows),
            True,
            f"only the {extra:,} rows past the reference's {reference.num_rows:,} "
            "(signals.drift.current: new)",
        )
    if extra > 0 and starts_with(current, reference):
        return Choice(
            Rows(current, reference.num_rows),
            True,
            f"only the {extra:,} new rows: the current data starts with the reference's "
            f"{reference.num_rows:,} rows (append-only; signals.drift.current: auto)",
        )
    return Choice(current, False, "all rows of the current data (not append-only)")


def starts_with(current: Table, reference: Table) -> bool:
    """The first rows of ``current`` are the rows of ``reference``, value for value (one column
    in memory at a time)."""
    if current.num_rows < reference.num_rows or set(reference.names) - set(current.names):
        return False
    for name in reference.names:
        ref = _plain(reference.column(name))
        head = _plain(current.column(name).slice(0, reference.num_rows))
        if ref.type != head.type:
            try:
                ref = ref.cast(head.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return False
        if not ref.equals(head):
            return False
    return True


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dictionary-encoded strings decoded: two files' dictionaries differ for equal values."""
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column
