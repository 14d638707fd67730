"""Profiles of hive-partitioned Parquet computed by DuckDB: aggregate SQL, out of core.

One query per partition computes every column's counts, min/max and bucket counts
(``histogram(x, edges)``: right-closed bins, the convention of ``profiles``); no row reaches
Python. The reference's layout takes two queries over the whole reference: approximate
quantiles for the edges (any edges give exact counts, so t-digest quantiles are enough) and
each categorical column's top keys. Partitions already profiled on the same layout come from
the ``ProfileCache`` and are not opened; ``partitions_profiled`` counts the ones that were.

A partition whose schema differs from the reference's (a column missing, a type changed) makes
the profile unknown, with a reason naming the partition, the column and both types; schemas
are checked from the Parquet footers before any partition is profiled, so nothing partial is
cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from retrigger.drift.partitions import Partition, discover
from retrigger.drift.profiles import (
    ColumnLayout,
    ColumnProfile,
    DatasetProfile,
    Layout,
    ProfileCache,
    merge_all,
)
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from retrigger.drift.remote import S3Access

_NUMERIC = re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL|DECIMAL.*)$")
_CATEGORICAL = re.compile(r"^(VARCHAR|BOOLEAN|ENUM.*)$")
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


@dataclass(frozen=True)
class Profiled:
    """A dataset's profile, or why it is unknown; the partitions it covers and those read now."""

    profile: DatasetProfile | None
    reason: str | None
    partitions: tuple[str, ...] = ()
    read: tuple[str, ...] = ()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source(files: Sequence[str]) -> str:
    listed = ", ".join(_quote(f) for f in files)
    return f"read_parquet([{listed}], hive_partitioning = true)"


@dataclass
class DuckDBEngine:
    """Computes profiles in an in-memory DuckDB; ``memory_limit`` (e.g. ``"1GB"``) and
    ``threads`` are DuckDB's own settings, left to DuckDB's defaults when None."""

    cache: ProfileCache | None = None
    memory_limit: str | None = None
    threads: int | None = None
    s3: S3Access | None = None  # set to read s3:// paths (credentials from the environment)
    partitions_profiled: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.memory_limit is not None and not _MEMORY.match(self.memory_limit):
            raise BadInput(f"drift memory_limit {self.memory_limit!r} is not a size like 1GB")
        if self.threads is not None and self.threads < 1:
            raise BadInput(f"drift threads must be at least 1, not {self.threads}")

    def _connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:")
        if self.memory_limit is not None:
            con.execute(f"SET memory_limit = {_quote(self.memory_limit)}")
        if self.threads is not None:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.s3 is not None:
            from retrigger.drift.remote import connect_s3

            connect_s3(con, self.s3)
        return con

    def layout(
        self,
        root: Path,
        columns: Sequence[str] | None = None,
        bins: int = 1000,
        top_k: int = 100,
    ) -> Layout:
        """The buckets of the reference at ``root``: ``bins`` quantile bins per numerical column,
        the ``top_k`` most frequent keys per categorical one (other columns are left out)."""
        return self.layout_of(discover(root), str(root), columns, bins, top_k)

    def layout_of(
        self,
        parts: Sequence[Partition],
        label: str,
        columns: Sequence[str] | None = None,
        bins: int = 1000,
        top_k: int = 100,
    ) -> Layout:
        """``layout`` of the partitions ``parts`` (named ``label`` in messages)."""
        if not parts:
            raise BadInput(f"no Parquet partition under {label}")
        try:
            return self._layout(label, parts, columns, bins, top_k)
        except duckdb.Error as e:
            first = str(e).strip().splitlines()[0]
            raise BadInput(f"the reference at {label} cannot be read: {first}") from None

    def _layout(
        self,
        label: str,
        parts: Sequence[Partition],
        columns: Sequence[str] | None,
        bins: int,
        top_k: int,
    ) -> Layout:
        files = [f for p in parts for f in p.files]
        with self._connect() as con:
            types = _schema(con, files)
            wanted = list(columns) if columns is not None else data_columns(types, parts)
            missing = [c for c in wanted if c not in types]
            if missing:
                raise BadInput(f"the reference at {label} has no column {missing[0]!r}")
            num = [c for c in wanted if _NUMERIC.match(types[c])]
            edges = _edges(con, files, num, bins) if num else {}
            layouts = []
            for name in wanted:
                if name in edges:
                    layouts.append(ColumnLayout(name, "num", types[name], edges=edges[name]))
                elif _CATEGORICAL.match(types[name]):
                    keys = _top_keys(con, files, name, top_k)
                    layouts.append(ColumnLayout(name, "cat", types[name], keys=keys))
        return Layout(tuple(layouts))

    def profile(
        self, root: Path, layout: Layout, md5s: Mapping[str, str] | None = None
    ) -> Profiled:
        """The merge of every partition's profile on ``layout``; cached partitions are not read."""
        return self.profile_parts(discover(root, md5s), layout, str(root))

    def profile_parts(self, parts: Sequence[Partition], layout: Layout, label: str) -> Profiled:
        """``profile`` of the partitions ``parts`` (named ``label`` in messages)."""
        names = tuple(p.name for p in parts)
        if not parts:
            return Profiled(None, f"no Parquet partition under {label}")
        with self._connect() as con:
            todo = [p for p in parts if not self._cached(layout, p)]
            # Schemas are checked only where a partition is read: a cached one was checked
            # when it was profiled, and reading its footer again is the cost the cache saves.
            problems = [m for p in todo if (m := _schema_problem(con, p, layout))]
            if problems:
                return Profiled(None, "; ".join(problems), names)
            profiles: list[DatasetProfile] = []
            read: list[str] = []
            for part in parts:
                cached = self.cache.get(layout, part.fingerprint) if self.cache else None
                if cached is None:
                    try:
                        cached = _profile_partition(con, part, layout)
                    except duckdb.Error as e:
                        return Profiled(None, _unreadable(part, e), names, tuple(read))
                    self.partitions_profiled += 1
                    read.append(part.name)
                    if self.cache is not None:
                        self.cache.put(part.fingerprint, cached)
                profiles.append(cached)
        return Profiled(merge_all(layout, profiles), None, names, tuple(read))

    def _cached(self, layout: Layout, part: Partition) -> bool:
        return self.cache is not None and self.cache.path(layout, part.fingerprint).is_file()


def _schema(con: duckdb.DuckDBPyConnection, files: Sequence[str]) -> dict[str, str]:
    """Column name → DuckDB type, read from the Parquet footers (no data pages)."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {_source(files)}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def data_columns(types: Mapping[str, str], parts: Sequence[Partition]) -> list[str]:
    """Every column but the hive keys (``date`` of ``date=…`` folders)."""
    keys = {seg.split("=", 1)[0] for p in parts for seg in p.name.split("/") if "=" in seg}
    return [c for c in types if c not in keys]


def _unreadable(part: Partition, error: duckdb.Error) -> str:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"partition {part.name}: unreadable ({first})"


def _schema_problem(con: duckdb.DuckDBPyConnection, part: Partition, layout: Layout) -> str:
    try:
        types = _schema(con, part.files)
    except duckdb.Error as e:
        return _unreadable(part, e)
    return schema_problems(part, types, layout)


def schema_problems(part: Partition, types: dict[str, str], layout: Layout) -> str:
    """How a partition's column types (DuckDB's names) differ from the reference's layout:
    each missing or retyped column named with both types; "" when they agree."""
    problems = []
    for col in layout.columns:
        found = types.get(col.name)
        if found is None:
            problems.append(
                f"partition {part.name}: column {col.name!r} is missing "
                f"(the reference's is {col.dtype})"
            )
        elif found != col.dtype:
            problems.append(
                f"partition {part.name}: column {col.name!r} is {found}, "
                f"the reference's is {col.dtype}"
            )
    return "; ".join(problems)


def _as_double(name: str) -> str:
    return f"CAST({_ident(name)} AS DOUBLE)"


def _edges(
    con: duckdb.DuckDBPyConnection, files: Sequence[str], names: Sequence[str], bins: int
) -> dict[str, tuple[float, ...]]:
    """Each column's distinct approximate quantiles at 0, 1/bins, …, 1 of its finite values."""
    points = "[" + ", ".join(repr(i / bins) for i in range(bins + 1)) + "]"
    selects = ", ".join(
        f"approx_quantile({_as_double(n)}, {points}) FILTER (WHERE isfinite({_as_double(n)}))"
        for n in names
    )
    row = con.execute(f"SELECT {selects} FROM {_source(files)}").fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    return {
        n: tuple(sorted({float(v) for v in (q or [])})) for n, q in zip(names, row, strict=True)
    }


def _top_keys(
    con: duckdb.DuckDBPyConnection, files: Sequence[str], name: str, top_k: int
) -> tuple[str, ...]:
    text = f"CAST({_ident(name)} AS VARCHAR)"
    rows = con.execute(
        f"SELECT {text} AS k, count(*) AS n FROM {_source(files)} WHERE k IS NOT NULL "
        f"GROUP BY k ORDER BY n DESC, k LIMIT {int(top_k)}"
    ).fetchall()
    return tuple(sorted(str(r[0]) for r in rows))


def _column_sql(col: ColumnLayout) -> str:
    """The aggregates of one column: present rows, min, max, bucket counts (a MAP)."""
    if col.kind == "num":
        x = _as_double(col.name)
        # Each edge from its repr as a string: a bare 0.1 is a DECIMAL literal to DuckDB,
        # whose cast to DOUBLE can land one ulp away and move values across the edge.
        edges = "[" + ", ".join(f"'{e!r}'::DOUBLE" for e in col.edges) + "]::DOUBLE[]"
        where = f"FILTER (WHERE isfinite({x}))"
        return (
            f"count(*) {where}, min({x}) {where}, max({x}) {where}, histogram({x}, {edges}) {where}"
        )
    x = f"CAST({_ident(col.name)} AS VARCHAR)"
    keys = ", ".join(_quote(k) for k in col.keys) or "NULL"
    return f"count({x}), NULL, NULL, histogram({x}) FILTER (WHERE {x} IN ({keys}))"


def _profile_partition(
    con: duckdb.DuckDBPyConnection, part: Partition, layout: Layout
) -> DatasetProfile:
    selects = ", ".join(["count(*)", *(_column_sql(c) for c in layout.columns)])
    row = con.execute(f"SELECT {selects} FROM {_source(part.files)}").fetchone()
    assert row is not None
    rows = int(row[0])
    columns = tuple(
        _column_profile(col, rows, row[1 + 4 * i : 5 + 4 * i])
        for i, col in enumerate(layout.columns)
    )
    return DatasetProfile(layout, rows, part.bytes, 1, columns)


def _column_profile(col: ColumnLayout, rows: int, values: Sequence[Any]) -> ColumnProfile:
    present, low, high, buckets = values
    counts = [0] * col.n_buckets
    index = {e: i for i, e in enumerate(col.edges if col.kind == "num" else col.keys)}
    for key, n in (buckets or {}).items():
        # A numerical value above the last edge comes back under DuckDB's own top boundary.
        counts[index.get(float(key) if col.kind == "num" else str(key), col.n_buckets - 1)] += n
    if col.kind == "cat":
        counts[-1] = int(present) - sum(counts[:-1])  # "other": present values of no listed key
    return ColumnProfile(
        name=col.name,
        rows=rows,
        missing=rows - int(present),
        counts=tuple(int(n) for n in counts),
        min=None if low is None else float(low),
        max=None if high is None else float(high),
    )
