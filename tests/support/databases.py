"""Throwaway state databases: a SQLite file, or a new database on the test PostgreSQL server
that scripts/postgres.sh starts (RT_TEST_POSTGRES_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGRES_ENV = "RT_TEST_POSTGRES_URL"


def postgres_base_url() -> str:
    """The test server's URL, or skip: PostgreSQL runs in CI (.ci/run) and `./dev test`."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run starts PostgreSQL)")
    return base


@contextmanager
def fresh_postgres_database(base: str) -> Iterator[str]:
    """A new, empty database on the server at ``base``, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
