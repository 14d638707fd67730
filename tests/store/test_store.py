"""The state store on SQLite (and PostgreSQL when RT_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrigger.decision import Decision, Reading, new_decision_id
from retrigger.errors import BadInput
from retrigger.store import Store, decisions
from retrigger.store.schema import MIGRATIONS, current_version


def _decision(now: datetime, fire: bool) -> Decision:
    return Decision(
        id=new_decision_id(now),
        model="churn",
        created_at=now,
        fire=fire,
        wanted=fire,
        trigger_types=("drift",) if fire else (),
        held_by=None,
        hold_detail=None,
        readings=(
            Reading(
                "drift",
                0.6,
                0.5,
                fire,
                "3 of 5 columns drifted",
                extra={"columns": ["a", "b", "c"]},
            ),
        ),
        data_version="abc123",
        data_paths={"data/train.csv": "d41d8"},
        git_commit="f00",
        config={"policy": {"cooldown": "1h"}},
    )


def test_decision_round_trips_whole(store_url: str, tmp_path: Path) -> None:
    store = Store.open(store_url, tmp_path)
    now = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
    saved = _decision(now, fire=True)

    with store.transaction() as conn:
        decisions.save(conn, saved)
    with store.transaction() as conn:
        loaded = decisions.get(conn, saved.id)
        latest = decisions.latest(conn, "churn")

    assert loaded == saved
    assert latest == saved
    store.close()


def test_fired_since_keeps_only_fired_decisions_in_the_window(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url, tmp_path)
    now = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
    old, quiet, recent = (
        _decision(now - timedelta(days=9), True),
        _decision(now, False),
        _decision(now - timedelta(hours=1), True),
    )
    with store.transaction() as conn:
        for decision in (old, quiet, recent):
            decisions.save(conn, decision)

    with store.transaction() as conn:
        found = decisions.fired_since(conn, "churn", now - timedelta(days=7))

    assert [d.id for d in found] == [recent.id]
    store.close()


def test_opening_twice_keeps_data_and_version(store_url: str, tmp_path: Path) -> None:
    first = Store.open(store_url, tmp_path)
    saved = _decision(datetime.now(tz=UTC), fire=False)
    with first.transaction() as conn:
        decisions.save(conn, saved)
    first.close()

    second = Store.open(store_url, tmp_path)
    with second.transaction() as conn:
        assert current_version(conn) == len(MIGRATIONS)
        assert decisions.get(conn, saved.id) == saved
    second.close()


def test_a_failed_transaction_leaves_nothing(store_url: str, tmp_path: Path) -> None:
    store = Store.open(store_url, tmp_path)
    saved = _decision(datetime.now(tz=UTC), fire=True)

    with pytest.raises(RuntimeError), store.transaction() as conn:
        decisions.save(conn, saved)
        raise RuntimeError("crash after the write, before commit")

    with store.transaction() as conn:
        assert decisions.get(conn, saved.id) is None
    store.close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = Store.open("sqlite:///state.db", tmp_path)

    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert (tmp_path / "state.db").exists()
    store.close()


def test_unreachable_postgres_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"state store .* is not reachable"):
        Store.open("postgresql://nobody:secret@127.0.0.1:1/none", tmp_path)
