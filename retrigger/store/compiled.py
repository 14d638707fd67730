"""Statements on the hot path of every inbound event, compiled once per dialect and run on the
driver's cursor.

An event costs three statements. Built and executed through SQLAlchemy Core each time, one
costs ≈ 150 µs of CPU (constructing the statement, its cache key, the execution context and
result); the same SQL compiled once and handed to the driver costs ≈ 15 µs (measured on these
2-core machines, docs/events.md). The statement is still written once, in Core, and compiled
by SQLAlchemy for SQLite or PostgreSQL; its parameters go through the column types' own
conversions, so what is stored is what Core would have stored. Driver errors come back as
SQLAlchemy's exceptions, so ``reachable`` turns them into the same one-line messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import UpdateBase


@dataclass(frozen=True)
class _Ready:
    sql: str
    names: tuple[str, ...]  # in the order the driver takes them (positional dialects)
    convert: dict[str, Callable[[Any], Any]]  # the bind conversions the column types ask for
    fixed: dict[str, Any]  # the statement's own literals (``events + 1``)
    positional: bool


class Compiled:
    """``statement`` (Core, with named ``bindparam``s), run as ``run(conn, name=value, …)``."""

    def __init__(self, build: Callable[[str], UpdateBase]) -> None:
        self._build = build  # dialect name → the statement (ON CONFLICT and max() differ)
        self._ready: dict[str, _Ready] = {}

    def run(self, conn: Connection, **values: Any) -> int:
        """Execute in ``conn``'s transaction (begun if it was not); the rows it changed."""
        ready = self._ready.get(conn.dialect.name) or self._compile(conn.dialect)
        if not conn.in_transaction():
            conn.begin()  # as Core's autobegin would: never let the driver run it outside one
        params = _params(ready, values)
        driver = conn.connection.dbapi_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(ready.sql, params)
            return int(cursor.rowcount)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                ready.sql, params, exc, conn.dialect.loaded_dbapi.Error
            ) from exc
        finally:
            cursor.close()

    def _compile(self, dialect: Dialect) -> _Ready:
        compiled = self._build(dialect.name).compile(dialect=dialect)
        convert: dict[str, Callable[[Any], Any]] = {}
        fixed: dict[str, Any] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                convert[name] = process
            if not bind.required:
                fixed[name] = bind.effective_value
        names = tuple(compiled.positiontup or compiled.binds)
        ready = _Ready(compiled.string, names, convert, fixed, dialect.positional)
        self._ready[dialect.name] = ready
        return ready


def _params(ready: _Ready, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
    def value(name: str) -> Any:
        given = values[name] if name in values else ready.fixed[name]
        process = ready.convert.get(name)
        return process(given) if process is not None else given

    if ready.positional:
        return tuple(value(name) for name in ready.names)
    return {name: value(name) for name in ready.names}
