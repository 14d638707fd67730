"""The v4 migration (bot columns and the inbound table) upgrades a store created before it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from retrigger.store import Store
from retrigger.store.db import make_engine
from retrigger.store.schema import MIGRATIONS, _v4_bot, current_version, schema_version


def test_a_v3_store_gains_the_bot_columns(store_url: str, tmp_path: Path) -> None:
    engine = make_engine(store_url, tmp_path)
    before = MIGRATIONS.index(_v4_bot)
    with engine.begin() as conn:
        for migration in MIGRATIONS[:before]:
            migration(conn)
        conn.execute(schema_version.insert().values(id=1, version=before))
        for table, column in (("approvals", "dispatched_at"), ("outbox", "claimed_until")):
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    engine.dispose()

    store = Store.open(store_url, tmp_path)
    with store.transaction() as conn:
        columns = {
            t: {c["name"] for c in inspect(conn).get_columns(t)} for t in ("approvals", "outbox")
        }
        assert current_version(conn) == len(MIGRATIONS)
        assert inspect(conn).has_table("inbound")
    assert {"dispatched_at", "superseded_by"} <= columns["approvals"]
    assert {"delivered_channel", "claimed_until"} <= columns["outbox"]
    store.close()
