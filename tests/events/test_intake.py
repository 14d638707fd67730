"""The intake alone (STYLE.md #8), on a real SQLite state store: refusals for a GCS endpoint
that is not configured, Google's keys that cannot be fetched (503: Pub/Sub retries), and how
long a delivery id is remembered."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrigger.config.models import EventsConfig
from retrigger.config.secrets import Secrets
from retrigger.events.intake import Intake
from retrigger.events.model import ObjectCreated, Parsed
from retrigger.events.settle import forget
from retrigger.store import Store
from tests.support.fake_slack import refused_url


def intake(tmp_path: Path, config: EventsConfig) -> tuple[Intake, Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'state.db'}", tmp_path)
    return Intake(store, config, Secrets(), lambda: datetime.now(tz=UTC)), store


def rows(store: Store) -> int:
    from sqlalchemy import text

    with store.transaction() as conn:
        return int(conn.execute(text("SELECT count(*) FROM inbound")).scalar() or 0)


BODY = json.dumps({"message": {"attributes": {"eventType": "OBJECT_FINALIZE"}}}).encode()


def test_gcs_without_its_settings_refuses_naming_them(tmp_path: Path) -> None:
    taken, store = intake(tmp_path, EventsConfig())

    answer = taken.receive("gcs", {"authorization": "Bearer x.y.z"}, BODY)

    assert (answer.status, answer.document) == (
        401,
        {"error": "events.gcs (audience and service_account) is not set on the server"},
    )
    assert rows(store) == 0


def test_googles_keys_out_of_reach_is_503_and_stores_nothing(tmp_path: Path) -> None:
    config = EventsConfig.model_validate(
        {
            "gcs": {
                "audience": "https://h/events/gcs",
                "service_account": "p@x.iam.gserviceaccount.com",
                "jwks_url": refused_url(),
            }
        }
    )
    taken, store = intake(tmp_path, config)
    token = (
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0."
        "eyJhdWQiOiJodHRwczovL2gvZXZlbnRzL2djcyJ9.c2ln"
    )

    answer = taken.receive("gcs", {"authorization": f"Bearer {token}"}, BODY)

    assert answer.status == 503
    assert answer.document["error"].startswith(
        "could not fetch the signing keys from http://127.0.0.1:"
    )
    assert rows(store) == 0


T0 = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
ARRIVED = Parsed(objects=(ObjectCreated("s3://lake/churn/raw/part-0.parquet"),))


@pytest.mark.parametrize(
    ("remember", "after_14h"),
    [({}, 202), ({"sqs": "1d"}, 200)],  # the default covers SQS's longest visibility timeout
)
def test_a_delivery_is_remembered_as_long_as_its_source_may_redeliver_it(
    tmp_path: Path, remember: dict[str, str], after_14h: int
) -> None:
    config = EventsConfig.model_validate({"remember": remember})
    store = Store.open(f"sqlite:///{tmp_path / 'state.db'}", tmp_path)
    now = [T0]
    taken = Intake(store, config, Secrets(), lambda: now[0])

    def again(hours: int, source: str, key: str) -> int:
        """The status of ``key`` delivered ``hours`` after T0, the loop having forgotten."""
        now[0] = T0 + timedelta(hours=hours)
        with store.transaction() as conn:
            forget(conn, config.remember, now[0])
        return taken.take(source, key, ARRIVED).status

    assert again(0, "s3", "event:sqs:m-1") == 202
    assert again(0, "webhook", "event:webhook:msg_1") == 202
    # An SQS message stored, its delete lost, back after a 2 h visibility timeout: a no-op.
    assert again(2, "s3", "event:sqs:m-1") == 200
    # A Standard Webhooks replay that old is refused by its timestamp: its id is forgotten.
    assert again(2, "webhook", "event:webhook:msg_1") == 202
    assert again(14, "s3", "event:sqs:m-1") == after_14h
