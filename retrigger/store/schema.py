"""Tables of the state store and the in-place upgrades between schema versions.

A migration is appended to ``MIGRATIONS``, never edited once released: version N is the state
after the first N migrations. ``upgrade`` runs the missing ones in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

decisions = Table(
    "decisions", metadata,
    Column("id", String(64), primary_key=True),
    Column("model", String(200), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("fire", Boolean, nullable=False),
    Column("wanted", Boolean, nullable=False),
    Column("trigger_types", JSON, nullable=False),
    Column("held_by", String(32)),
    Column("hold_detail", Text),
    Column("signals", JSON, nullable=False),
    Column("data_version", String(64)),
    Column("data_paths", JSON, nullable=False),
    Column("git_commit", String(64)),
    Column("config", JSON, nullable=False),
    Column("requested_by", String(200)),
    Column("reason", Text),
)


def _v1_decisions(conn: Connection) -> None:
    schema_version.create(conn, checkfirst=True)
    decisions.create(conn, checkfirst=True)


Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = [_v1_decisions]


def current_version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, "schema_version"):
        return 0
    found = conn.execute(select(schema_version.c.version)).scalar()
    return int(found or 0)


def upgrade(conn: Connection) -> int:
    """Bring the schema to the latest version; return it."""
    version = current_version(conn)
    for migration in MIGRATIONS[version:]:
        migration(conn)
    latest = len(MIGRATIONS)
    if version == 0:
        conn.execute(schema_version.insert().values(id=1, version=latest))
    elif version < latest:
        conn.execute(schema_version.update().values(version=latest))
    return latest
