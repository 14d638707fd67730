"""The intake alone (STYLE.md #8), on a real SQLite state store: refusals for a GCS endpoint
that is not configured, and Google's keys that cannot be fetched (503: Pub/Sub retries)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from retrigger.config.models import EventsConfig
from retrigger.config.secrets import Secrets
from retrigger.events.intake import Intake
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
