"""Data-arrival events: exactly once per (model, data version), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from retrigger.store import Store, arrivals


def _arrival(version: str, model: str = "churn") -> arrivals.Arrival:
    return arrivals.Arrival(
        model=model,
        data_version=version,
        created_at=datetime(2026, 3, 15, 2, tzinfo=UTC),
        source="push",
        git_commit="abc",
        paths={"data/train.csv": "m" * 32},
        delta={"paths": []},
    )


def test_the_same_version_is_recorded_once_per_model(store_url: str, tmp_path: Path) -> None:
    store = Store.open(store_url, tmp_path)

    results = [
        arrivals.record(store, _arrival("v1")),
        arrivals.record(store, _arrival("v1")),
        arrivals.record(store, _arrival("v1", model="other")),
        arrivals.record(store, _arrival("v2")),
    ]

    assert results == [True, False, True, True]
    assert [a.data_version for a in arrivals.all_for(store, "churn")] == ["v1", "v2"]
    latest = arrivals.latest(store, "churn")
    assert latest is not None and latest.data_version == "v2"
    assert latest.created_at == datetime(2026, 3, 15, 2, tzinfo=UTC)


def test_concurrent_records_of_one_version_leave_one_row(store_url: str, tmp_path: Path) -> None:
    Store.open(store_url, tmp_path).close()
    stores = [Store.open(store_url, tmp_path) for _ in range(4)]
    start = threading.Barrier(len(stores))
    results: list[bool] = []

    def work(store: Store) -> None:
        start.wait(timeout=30)
        results.append(arrivals.record(store, _arrival("v-race")))

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [False, False, False, True]
    assert len(arrivals.all_for(stores[0], "churn")) == 1
