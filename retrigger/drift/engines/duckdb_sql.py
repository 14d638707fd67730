"""The DuckDB SQL of ``engines.duckdb``: a batch of partitions read by one query per shape,
grouped by file, the files' counts then summed into their partitions in Python.

Why this shape (measured side by side against the earlier SQL: docs/drift-at-scale.md):

- Many files in one query, ``GROUP BY`` file: DuckDB splits a scan by Parquet row group, and a
  daily partition is often one row group (pyarrow writes up to 1Mi rows per group), so a query
  per partition ran on one thread whatever ``threads`` said.
- Non-finite values become NULL once, in the scan's projection (``count``, ``min``, ``max`` and
  ``histogram`` skip NULLs), instead of one ``FILTER`` clause per aggregate.
- A categorical column's kept keys are counted by ``GROUP BY file, key`` on the rows whose key
  is in the layout's (a semi-join on a small keys table): the earlier
  ``histogram(CAST(x AS VARCHAR)) FILTER (WHERE … IN (100 keys))`` took ten times the CPU.
- Numerical bins stay DuckDB's ``histogram(x, edges)``: a binary search per value in C++, the
  cheapest exact binning found (an ASOF join on an edges table cost as much, a CASE tree or
  a list-index search several times more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retrigger.drift.profiles import ColumnLayout, ColumnProfile, DatasetProfile, Layout

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb

    from retrigger.drift.partitions import Partition

FILE = "__retrigger_file"  # the file column DuckDB adds (named so no data column clashes)


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def source(files: Sequence[str], with_file: bool = False) -> str:
    listed = ", ".join(quote(f) for f in files)
    named = f", filename = {quote(FILE)}" if with_file else ""
    return f"read_parquet([{listed}], hive_partitioning = true{named})"


def as_double(name: str) -> str:
    return f"CAST({ident(name)} AS DOUBLE)"


def _finite(i: int, col: ColumnLayout) -> str:
    x = as_double(col.name)
    return f"CASE WHEN isfinite({x}) THEN {x} END AS v{i}"


def _edges(col: ColumnLayout) -> str:
    # Each edge from its repr as a string: a bare 0.1 is a DECIMAL literal to DuckDB,
    # whose cast to DOUBLE can land one ulp away and move values across the edge.
    return "[" + ", ".join(f"'{e!r}'::DOUBLE" for e in col.edges) + "]::DOUBLE[]"


def totals_sql(files: Sequence[str], layout: Layout) -> str:
    """Per file: rows; per numerical column present, min, max and bucket counts (a MAP of
    upper edge → count, right-closed bins); per categorical column present values."""
    inner, aggs = [f"{FILE}"], ["count(*)"]
    for i, col in enumerate(layout.columns):
        if col.kind == "num":
            inner.append(_finite(i, col))
            aggs += [f"count(v{i})", f"min(v{i})", f"max(v{i})", f"histogram(v{i}, {_edges(col)})"]
        else:
            inner.append(f"{ident(col.name)} AS v{i}")
            aggs.append(f"count(v{i})")
    query = f"SELECT {', '.join(inner)} FROM {source(files, True)}"
    return f"SELECT {FILE}, {', '.join(aggs)} FROM ({query}) GROUP BY {FILE}"


def keys_sql(files: Sequence[str], col: ColumnLayout) -> str:
    """Per file and kept key of a categorical column: its rows."""
    key = f"CAST({ident(col.name)} AS VARCHAR)"
    keys = ", ".join(f"({quote(k)})" for k in col.keys)
    return (
        f"SELECT {FILE}, k, count(*) FROM (SELECT {FILE}, {key} AS k FROM {source(files, True)}) "
        f"WHERE k IN (SELECT k FROM (VALUES {keys}) AS kept(k)) GROUP BY {FILE}, k"
    )


@dataclass
class _Sums:
    """A partition's running totals while its files' rows come in."""

    rows: int = 0
    present: list[int] = field(default_factory=list)
    low: list[float | None] = field(default_factory=list)
    high: list[float | None] = field(default_factory=list)
    counts: list[list[int]] = field(default_factory=list)

    @classmethod
    def empty(cls, layout: Layout) -> _Sums:
        n = len(layout.columns)
        return cls(0, [0] * n, [None] * n, [None] * n, [[0] * c.n_buckets for c in layout.columns])


def _lower(a: float | None, b: Any) -> float | None:
    return a if b is None else (float(b) if a is None else min(a, float(b)))


def _higher(a: float | None, b: Any) -> float | None:
    return a if b is None else (float(b) if a is None else max(a, float(b)))


def profile_batch(
    con: duckdb.DuckDBPyConnection, parts: Sequence[Partition], layout: Layout
) -> dict[str, DatasetProfile]:
    """Each partition's profile, by name, from one totals query and one keys query per
    categorical column over all the partitions' files."""
    owner = {f: p.name for p in parts for f in p.files}
    files = list(owner)
    sums = {p.name: _Sums.empty(layout) for p in parts}
    edges = [{e: j for j, e in enumerate(c.edges)} for c in layout.columns]
    for row in con.execute(totals_sql(files, layout)).fetchall():
        _add_totals(sums[owner[str(row[0])]], layout, edges, row[1:])
    for i, col in enumerate(layout.columns):
        if col.kind == "cat" and col.keys:
            index = {k: j for j, k in enumerate(col.keys)}
            for file, key, rows in con.execute(keys_sql(files, col)).fetchall():
                sums[owner[str(file)]].counts[i][index[str(key)]] += int(rows)
    return {p.name: _profile(p, layout, sums[p.name]) for p in parts}


def _add_totals(
    acc: _Sums, layout: Layout, edges: Sequence[dict[float, int]], values: Sequence[Any]
) -> None:
    acc.rows += int(values[0])
    at = 1
    for i, col in enumerate(layout.columns):
        acc.present[i] += int(values[at])
        if col.kind == "cat":
            at += 1
            continue
        low, high, buckets = values[at + 1 : at + 4]
        acc.low[i], acc.high[i] = _lower(acc.low[i], low), _higher(acc.high[i], high)
        for key, rows in (buckets or {}).items():
            # A value above the last edge comes back under DuckDB's own top key (+inf).
            acc.counts[i][edges[i].get(float(key), col.n_buckets - 1)] += int(rows)
        at += 4


def _profile(part: Partition, layout: Layout, acc: _Sums) -> DatasetProfile:
    columns = []
    for i, col in enumerate(layout.columns):
        counts = acc.counts[i]
        if col.kind == "cat":
            counts[-1] = acc.present[i] - sum(counts[:-1])  # "other": present, of no kept key
        columns.append(
            ColumnProfile(
                name=col.name,
                rows=acc.rows,
                missing=acc.rows - acc.present[i],
                counts=tuple(counts),
                min=acc.low[i],
                max=acc.high[i],
            )
        )
    return DatasetProfile(layout, acc.rows, part.bytes, 1, tuple(columns))
