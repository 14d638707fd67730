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


def test_one_decision_answers_an_arrival_even_when_two_claim_it_at_once(
    store_url: str, tmp_path: Path
) -> None:
    Store.open(store_url, tmp_path).close()
    stores = [Store.open(store_url, tmp_path) for _ in range(4)]
    arrivals.record(stores[0], _arrival("v-claimed"))
    start = threading.Barrier(len(stores))
    won: list[str] = []

    def work(store: Store, decision_id: str) -> None:
        start.wait(timeout=30)
        with store.transaction() as conn:
            if arrivals.claim(conn, "churn", "v-claimed", decision_id):
                won.append(decision_id)

    threads = [threading.Thread(target=work, args=(s, f"d-{i}")) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(won) == 1
    assert arrivals.covered_by(stores[0], "churn", "v-claimed") == won[0]
    assert arrivals.covered_by(stores[0], "churn", "v-other") is None
