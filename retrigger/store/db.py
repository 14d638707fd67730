"""The state store's connection: SQLite by default, PostgreSQL for teams.

SQLite runs in WAL mode and every write transaction starts with ``BEGIN IMMEDIATE`` so two
processes never both read-then-write the same row (the later one waits on ``busy_timeout``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError, OperationalError

from retrigger.errors import BadInput, ConfigError
from retrigger.store.problems import BUSY_TIMEOUT_S, from_database

# libpq waits this long for a server that accepts but does not answer; with the CLI's own
# start-up, an unreachable state store is one clear line within 10 s.
CONNECT_TIMEOUT_SECONDS = 5


def normalise_url(url: str, root: Path) -> str:
    """Relative SQLite paths are relative to the config's folder; PostgreSQL uses psycopg 3."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        path = (root / url[len("sqlite:///") :]).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, root: Path) -> Engine:
    full = normalise_url(url, root)
    try:
        backend = make_url(full).get_backend_name()
    except ArgumentError:
        raise ConfigError(
            f"invalid config key 'state.url': {url!r} is not a database URL"
        ) from None
    if backend == "sqlite":
        engine = create_engine(full, connect_args={"timeout": BUSY_TIMEOUT_S})
        _sqlite_immediate_transactions(engine)
        return engine
    if backend == "postgresql":
        return create_engine(
            full, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        )
    raise ConfigError(
        f"invalid config key 'state.url': {backend} is not supported; "
        "use sqlite:///path or postgresql://..."
    )


def _sqlite_immediate_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN IMMEDIATE is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def reachable(url: str, database: str | None = None) -> Iterator[None]:
    """Turn a database that does not answer, is locked, full or read-only into one clear line
    (``database``: the SQLite file, to tell a read-only file system from the rest)."""
    try:
        yield
    except OperationalError as exc:
        raise from_database(exc.orig, _safe(url), database) from None
    except IntegrityError:
        raise  # a unique key a concurrent writer took first: the caller's answer, not a fault
    except DatabaseError as exc:  # "file is not a database": state.url names some other file
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise BadInput(
            f"state store {_safe(url)} cannot be used ({reason}); point state.url at a retrigger "
            "state database or a new file"
        ) from None


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True) if "://" in url else url
