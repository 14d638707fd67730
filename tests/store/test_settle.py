"""Settle windows in the state store (SQLite, and PostgreSQL when RT_TEST_POSTGRES_URL is set):
each event extends its prefix's one open window, a closed window is claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from retrigger.store import Store, settle

T0 = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
SETTLE = timedelta(minutes=10)
LEASE = timedelta(hours=1)
PREFIX = "s3://lake/churn/raw/"


def _event(store: Store, at: datetime, marker: bool = False, prefix: str = PREFIX) -> None:
    with store.transaction() as conn:
        settle.note_event(conn, "webhook", prefix, "data/parts", at, at + SETTLE, marker)


def _claim(store: Store, at: datetime) -> settle.Window | None:
    with store.transaction() as conn:
        return settle.claim_due(conn, at, LEASE)


def test_events_extend_one_window_which_is_claimed_once_when_quiet(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url, tmp_path)
    for minute in (0, 3, 6):
        _event(store, T0 + timedelta(minutes=minute))

    assert _claim(store, T0 + timedelta(minutes=15)) is None  # 6 + 10: not quiet yet
    window = _claim(store, T0 + timedelta(minutes=16))
    assert window is not None and (window.events, window.status) == (3, settle.CHECKING)
    assert window.due_at == T0 + timedelta(minutes=16)
    assert _claim(store, T0 + timedelta(minutes=17)) is None  # claimed once
    store.close()


def test_an_event_during_the_check_opens_the_next_window(store_url: str, tmp_path: Path) -> None:
    store = Store.open(store_url, tmp_path)
    _event(store, T0)
    first = _claim(store, T0 + SETTLE)
    _event(store, T0 + SETTLE + timedelta(seconds=1))
    with store.transaction() as conn:
        assert first is not None
        settle.finish(conn, first.id, "d-1", None, T0 + SETTLE + timedelta(seconds=2))
        windows = settle.recent(conn)

    assert [(w.status, w.events, w.decision_id) for w in windows] == [
        (settle.OPEN, 1, None),
        (settle.CHECKED, 1, "d-1"),
    ]
    store.close()


def test_the_marker_makes_the_window_due_now(store_url: str, tmp_path: Path) -> None:
    store = Store.open(store_url, tmp_path)
    _event(store, T0)
    _event(store, T0 + timedelta(minutes=1), marker=True)
    _event(store, T0 + timedelta(minutes=1, seconds=1), prefix="s3://lake/other/")

    window = _claim(store, T0 + timedelta(minutes=1))
    assert window is not None and window.marker_seen and window.prefix == PREFIX
    with store.transaction() as conn:
        assert settle.next_due(conn) == T0 + timedelta(minutes=11, seconds=1)
    store.close()


def test_a_window_whose_checker_died_is_claimed_again_after_the_lease(
    store_url: str, tmp_path: Path
) -> None:
    store = Store.open(store_url, tmp_path)
    _event(store, T0)
    assert _claim(store, T0 + SETTLE) is not None

    assert _claim(store, T0 + SETTLE + LEASE / 2) is None
    again = _claim(store, T0 + SETTLE + LEASE + timedelta(seconds=1))
    assert again is not None and again.events == 1
    store.close()
