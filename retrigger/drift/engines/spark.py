"""Profiles computed by Spark: the same aggregates as DuckDB's, as Spark SQL, for clusters.

A bucket index is the number of edges below ``x``, found by binary search with Spark's own
higher-order ``aggregate`` over the power-of-two steps: the convention of ``profiles``
(right-closed buckets) and of DuckDB's ``histogram``, and no Python UDF (no row reaches
Python). All uncached partitions are read at once and grouped by file and bucket; files sum
into their partitions in Python, so counts are the same integers DuckDB gives on the same
layout.

The session is a SparkSession (``master``, e.g. ``local[2]``) or Spark Connect (``remote``,
``sc://HOST:PORT``); a session that does not answer within ``timeout`` seconds makes the
profile unknown. pyspark is the optional extra ``retrigger[spark]``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retrigger.drift.engines.duckdb import Profiled, data_columns, schema_problems
from retrigger.drift.engines.spark_sql import (
    column_selects,
    duckdb_type,
    edges_select,
    finite,
    read_profiles,
)
from retrigger.drift.profiles import ColumnLayout, Layout, merge_all
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from retrigger.drift.partitions import Partition
    from retrigger.drift.profiles import DatasetProfile, ProfileCache

_NUMERIC = {"DOUBLE", "FLOAT", "TINYINT", "SMALLINT", "INTEGER", "BIGINT"}
_CATEGORICAL = {"VARCHAR", "BOOLEAN"}


@dataclass
class SparkEngine:
    """``DuckDBEngine``'s two operations on Spark. ``session``: an existing SparkSession (tests
    share one); otherwise one is started from ``master`` or ``remote`` on first use."""

    cache: ProfileCache | None = None
    master: str = "local[2]"
    remote: str | None = None
    timeout: float = 120.0
    session: Any = None
    partitions_profiled: int = field(default=0, init=False)
    _answered: bool = field(default=False, init=False)
    _silent: str | None = field(default=None, init=False)  # why the session is given up

    def _spark(self) -> Any:
        if self.session is None:
            if self.remote is not None:
                from retrigger.drift.engines.spark_connect import connect_session

                self.session = connect_session(self.remote, self.timeout)
                return self.session
            try:
                from pyspark.sql import SparkSession
            except ImportError:
                raise BadInput(
                    "engine spark needs pyspark: pip install 'retrigger[spark]' (and Java 17+)"
                ) from None
            builder = SparkSession.builder.appName("retrigger-drift").master(self.master)
            self.session = builder.config("spark.ui.enabled", "false").getOrCreate()
        return self.session

    def _run(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` once the session has answered a first query within ``timeout``
        seconds (the work itself takes as long as the data needs); Spark's errors become
        ``BadInput`` with their first line."""
        if self._silent is not None:
            raise BadInput(self._silent)  # once is enough: no second wait on the same session
        if not self._answered:
            if self.remote is not None:
                self._spark()  # makes no call: held here, so a silent server's can be closed
            self._within_timeout(lambda: self._spark().range(1).collect())
            self._answered = True
        try:
            return work()
        except BadInput:
            raise
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise BadInput(f"Spark failed: {first[:300]}") from None

    def _within_timeout(self, work: Callable[[], Any]) -> Any:
        """Run ``work``, or raise ``BadInput`` after ``timeout`` seconds (nothing is cached
        from it); a Spark Connect client is then closed, which ends its retries."""
        outcome: list[Any] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                outcome.append(work())
            except BaseException as exc:
                failure.append(exc)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            where = self.remote or self.master
            self._silent = f"Spark at {where} did not answer within {self.timeout:g}s"
            if self.remote is not None and self.session is not None:
                from retrigger.drift.engines.spark_connect import abandon

                abandon(self.session)
            raise BadInput(self._silent)
        if failure:
            exc = failure[0]
            if isinstance(exc, BadInput):
                raise exc
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise BadInput(f"Spark failed: {first[:300]}") from None
        return outcome[0]

    def layout_of(
        self,
        parts: Sequence[Partition],
        label: str,
        columns: Sequence[str] | None = None,
        bins: int = 1000,
        top_k: int = 100,
    ) -> Layout:
        if not parts:
            raise BadInput(f"no Parquet partition under {label}")
        layout: Layout = self._run(lambda: self._layout(parts, label, columns, bins, top_k))
        return layout

    def _layout(
        self,
        parts: Sequence[Partition],
        label: str,
        columns: Sequence[str] | None,
        bins: int,
        top_k: int,
    ) -> Layout:
        frame = self._spark().read.parquet(*[f for p in parts for f in p.files])
        types = {f.name: duckdb_type(f.dataType.simpleString()) for f in frame.schema.fields}
        wanted = list(columns) if columns is not None else data_columns(types, parts)
        missing = [c for c in wanted if c not in types]
        if missing:
            raise BadInput(f"the reference at {label} has no column {missing[0]!r}")
        frame.createOrReplaceTempView("retrigger_reference")
        layouts = []
        for name in wanted:
            if types[name] in _NUMERIC:
                row = self.session.sql(edges_select(name, bins, "retrigger_reference")).first()
                edges = tuple(sorted({float(v) for v in (row[0] or [])}))
                layouts.append(ColumnLayout(name, "num", types[name], edges=edges))
            elif types[name] in _CATEGORICAL:
                keys = self._top_keys(name, top_k)
                layouts.append(ColumnLayout(name, "cat", types[name], keys=keys))
        return Layout(tuple(layouts))

    def _top_keys(self, name: str, top_k: int) -> tuple[str, ...]:
        x = f"CAST(`{name}` AS STRING)"
        rows = self.session.sql(
            f"SELECT {x} AS k, count(*) AS n FROM retrigger_reference WHERE {x} IS NOT NULL "
            f"GROUP BY k ORDER BY n DESC, k LIMIT {int(top_k)}"
        ).collect()
        return tuple(sorted(str(r[0]) for r in rows))

    def profile_parts(self, parts: Sequence[Partition], layout: Layout, label: str) -> Profiled:
        names = tuple(p.name for p in parts)
        if not parts:
            return Profiled(None, f"no Parquet partition under {label}")
        cache = self.cache
        todo = [p for p in parts if cache is None or cache.get(layout, p.fingerprint) is None]
        try:
            fresh = self._run(lambda: self._profiles(todo, layout)) if todo else {}
        except BadInput as exc:
            return Profiled(None, str(exc), names)
        if isinstance(fresh, str):
            return Profiled(None, fresh, names)
        profiles: list[DatasetProfile] = []
        for part in parts:
            found = fresh.get(part.name)
            if found is None:
                assert cache is not None
                found = cache.get(layout, part.fingerprint)
                assert found is not None
            elif cache is not None:
                cache.put(part.fingerprint, found)
            profiles.append(found)
        self.partitions_profiled += len(fresh)
        read = tuple(p.name for p in todo)
        return Profiled(merge_all(layout, profiles), None, names, read)

    def _profiles(
        self, parts: Sequence[Partition], layout: Layout
    ) -> dict[str, DatasetProfile] | str:
        """Each partition's profile, or the schema problems that stop them all."""
        spark = self._spark()
        problems = [m for p in parts if (m := self._schema_problem(p, layout))]
        if problems:
            return "; ".join(problems)
        files = [f for p in parts for f in p.files]
        frame = spark.read.parquet(*files).selectExpr("*", "input_file_name() AS _file")
        frame.createOrReplaceTempView("retrigger_partitions")
        return read_profiles(spark, "retrigger_partitions", parts, layout, column_selects)

    def _schema_problem(self, part: Partition, layout: Layout) -> str:
        fields = self._spark().read.parquet(*part.files).schema.fields
        types = {f.name: duckdb_type(f.dataType.simpleString()) for f in fields}
        return schema_problems(part, types, layout)


__all__ = ["SparkEngine", "finite"]
