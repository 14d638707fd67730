"""Profiles of hive-partitioned Parquet computed by DuckDB: aggregate SQL, out of core.

Uncached partitions are read in batches, one query per batch grouped by file (and one per
categorical column's kept keys, see ``duckdb_sql``), bins by ``histogram(x, edges)``
(right-closed, the convention of ``profiles``); no row reaches Python. The reference's layout
takes two queries over the whole reference: approximate quantiles for the edges (any edges
give exact counts, so t-digest quantiles are enough) and each categorical column's top keys.
Partitions already profiled on the same layout come from the ``ProfileCache`` and are not
opened; ``partitions_profiled`` counts the ones that were.

A partition whose schema differs from the reference's (a column missing, a type changed) makes
the profile unknown, with a reason naming the partition, the column and both types; schemas
are checked from the Parquet footers before any partition is profiled, so nothing partial is
cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from retrigger.drift.engines.duckdb_sql import as_double, ident, profile_batch, quote, source
from retrigger.drift.partitions import Partition, discover
from retrigger.drift.profiles import (
    ColumnLayout,
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
            con.execute(f"SET memory_limit = {quote(self.memory_limit)}")
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
        cache = self.cache
        found = {p.name: cache.get(layout, p.fingerprint) if cache else None for p in parts}
        todo = [p for p in parts if found[p.name] is None]
        with self._connect() as con:
            # Schemas are checked only where a partition is read: a cached one was checked
            # when it was profiled, and reading its footer again is the cost the cache saves.
            problems = [m for p in todo if (m := _schema_problem(con, p, layout))]
            if problems:
                return Profiled(None, "; ".join(problems), names)
            read: list[str] = []
            for batch in _batches(todo):
                fresh = _profile_batch(con, batch, layout)
                if isinstance(fresh, str):
                    return Profiled(None, fresh, names, tuple(read))
                for part in batch:
                    self.partitions_profiled += 1
                    read.append(part.name)
                    if self.cache is not None:
                        self.cache.put(part.fingerprint, fresh[part.name])
                found.update(fresh)
        profiles = [found[p.name] for p in parts]
        return Profiled(merge_all(layout, [p for p in profiles if p]), None, names, tuple(read))


def _schema(con: duckdb.DuckDBPyConnection, files: Sequence[str]) -> dict[str, str]:
    """Column name → DuckDB type, read from the Parquet footers (no data pages)."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {source(files)}").fetchall()
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


def _edges(
    con: duckdb.DuckDBPyConnection, files: Sequence[str], names: Sequence[str], bins: int
) -> dict[str, tuple[float, ...]]:
    """Each column's distinct approximate quantiles at 0, 1/bins, …, 1 of its finite values."""
    points = "[" + ", ".join(repr(i / bins) for i in range(bins + 1)) + "]"
    selects = ", ".join(
        f"approx_quantile({as_double(n)}, {points}) FILTER (WHERE isfinite({as_double(n)}))"
        for n in names
    )
    row = con.execute(f"SELECT {selects} FROM {source(files)}").fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    return {
        n: tuple(sorted({float(v) for v in (q or [])})) for n, q in zip(names, row, strict=True)
    }


def _top_keys(
    con: duckdb.DuckDBPyConnection, files: Sequence[str], name: str, top_k: int
) -> tuple[str, ...]:
    text = f"CAST({ident(name)} AS VARCHAR)"
    rows = con.execute(
        f"SELECT {text} AS k, count(*) AS n FROM {source(files)} WHERE k IS NOT NULL "
        f"GROUP BY k ORDER BY n DESC, k LIMIT {int(top_k)}"
    ).fetchall()
    return tuple(sorted(str(r[0]) for r in rows))


BATCH_FILES = 32  # files per query: enough for every thread, few groups in memory at a time


def _batches(parts: Sequence[Partition]) -> list[list[Partition]]:
    """``parts`` in order, cut into batches of about ``BATCH_FILES`` files."""
    batches: list[list[Partition]] = []
    files = BATCH_FILES
    for part in parts:
        if files + len(part.files) > BATCH_FILES:
            batches.append([])
            files = 0
        batches[-1].append(part)
        files += len(part.files)
    return batches


def _profile_batch(
    con: duckdb.DuckDBPyConnection, batch: Sequence[Partition], layout: Layout
) -> dict[str, DatasetProfile] | str:
    """The batch's profiles, or the first unreadable partition named: after a failed batch
    each partition is read alone, so the reason names it (DuckDB's error names a file)."""
    try:
        return profile_batch(con, batch, layout)
    except duckdb.Error:
        pass
    found: dict[str, DatasetProfile] = {}
    for part in batch:
        try:
            found.update(profile_batch(con, [part], layout))
        except duckdb.Error as e:
            return _unreadable(part, e)
    return found
