"""`retrigger serve` as a sender sees it: signed events over real HTTP to a gunicorn process
over a real git + DVC repo; the check it runs is the real `retrigger check`."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from standardwebhooks import Webhook

from tests.events.conftest import (
    MLFLOW_SECRET,
    PREFIX,
    S3_KEY,
    Server,
    object_created,
    signed,
    start_serve,
    stop,
)

pytestmark = pytest.mark.slow


def test_a_burst_for_one_prefix_runs_one_check_once_the_window_settles(server: Server) -> None:
    urls = [f"{PREFIX}2026-03-15/part-{i:03}.parquet" for i in range(30)]
    with ThreadPoolExecutor(max_workers=8) as senders:  # concurrent, as a bulk upload sends
        answers = list(senders.map(server.send, urls))

    assert {a.status for a in answers} == {202}
    assert all(a.json()["watched"] == 1 for a in answers)
    [(status, events, decision_id, error)] = server.wait_settled()
    assert (status, events, error) == ("checked", 30, None)
    assert server.rows("SELECT id FROM decisions") == [(decision_id,)]
    [(actor, detail)] = server.rows(
        "SELECT actor, detail FROM audit WHERE action = 'events.settled'"
    )
    assert actor == "events:webhook"
    assert json.loads(str(detail))["prefix"] == PREFIX


def test_the_marker_object_closes_the_window_at_once(slow_server: Server) -> None:
    slow_server.send(f"{PREFIX}day=1/part-0.parquet")
    slow_server.send(f"{PREFIX}day=1/part-1.parquet")
    slow_server.send(f"{PREFIX}day=1/_SUCCESS")

    [(status, events, _decision, _error)] = slow_server.wait_settled()
    assert (status, events) == ("checked", 3)
    assert slow_server.count("SELECT count(*) FROM decisions") == 1


def test_a_replayed_delivery_changes_nothing_and_runs_no_second_check(server: Server) -> None:
    body = object_created(f"{PREFIX}part-0.parquet")
    headers = signed(body, "msg_replayed")

    first = server.post("webhook", body, headers)
    again = server.post("webhook", body, headers)
    server.wait_settled()
    after_check = server.post("webhook", body, headers)

    assert first.status == 202
    assert again.status == after_check.status == 200
    assert again.json() == {"duplicate": True}
    assert server.count("SELECT count(*) FROM settle_windows") == 1
    assert server.count("SELECT events FROM settle_windows") == 1
    assert server.count("SELECT count(*) FROM decisions") == 1


def test_the_same_object_announced_twice_counts_once(slow_server: Server) -> None:
    url = f"{PREFIX}part-0.parquet"
    body, again = object_created(url, etag="e-1"), object_created(url, etag="e-1")
    changed = object_created(url, etag="e-2")

    answers = [
        slow_server.post("webhook", b, signed(b, f"msg_{i}"))
        for i, b in enumerate((body, again, changed))
    ]

    assert [a.json()["watched"] for a in answers] == [1, 0, 1]
    assert slow_server.count("SELECT events FROM settle_windows") == 2


def test_refused_deliveries_are_answered_with_a_reason_and_store_nothing(server: Server) -> None:
    body = object_created(f"{PREFIX}part-0.parquet")
    wrong_key = "whsec_" + "QUJD" * 8
    forged = server.post("webhook", body, signed(body, "msg_1", key=wrong_key))
    tampered = server.post("webhook", body + b" ", signed(body, "msg_2"))
    old = server.post("webhook", body, signed(body, "msg_3", when=int(time.time()) - 600))
    unsigned = server.post("webhook", body, {})
    not_json = server.post("webhook", b"[1,", signed(b"[1,", "msg_4"))
    wrong_shape = server.post("webhook", b'{"data": 1}', signed(b'{"data": 1}', "msg_5"))
    big = b'{"type": "object.created", "pad": "' + b"x" * (1024 * 1024) + b'"}'
    oversized = server.post("webhook", big, signed(big, "msg_6"))
    unknown = server.post("ftp", body, signed(body, "msg_7"))

    assert (forged.status, forged.json()) == (401, {"error": "bad signature"})
    assert (tampered.status, tampered.json()) == (401, {"error": "bad signature"})
    assert old.json() == {"error": "timestamp outside the 5 minute window"}
    assert (unsigned.status, unsigned.json()) == (401, {"error": "missing signature headers"})
    assert (not_json.status, not_json.json()) == (400, {"error": "body is not JSON"})
    assert wrong_shape.status == 400 and "Standard Webhooks" in wrong_shape.json()["error"]
    assert oversized.status == 413
    assert unknown.status == 404
    assert server.count("SELECT count(*) FROM inbound") == 0
    assert server.count("SELECT count(*) FROM settle_windows") == 0


def test_an_unwatched_prefix_is_accepted_and_checks_nothing(server: Server) -> None:
    answer = server.send("s3://lake/other-model/part-0.parquet")

    assert (answer.status, answer.json()) == (202, {"watched": 0, "objects": 1})
    assert server.count("SELECT count(*) FROM settle_windows") == 0
    assert "no watch for s3://lake/other-model/part-0.parquet" in "".join(server.log)


def test_mlflow_registry_events_are_verified_with_mlflows_headers_and_audited(
    server: Server,
) -> None:
    body = json.dumps(
        {
            "entity": "model_version",
            "action": "created",
            "timestamp": "2026-03-15T02:00:00+00:00",
            "data": {"name": "churn", "version": "7", "source": "models:/m-1", "tags": {}},
        }
    ).encode()
    delivery, now = str(uuid.uuid4()), int(time.time())
    from datetime import UTC, datetime

    # MLflow signs "<delivery id>.<timestamp>.<body>" keyed by the secret's UTF-8 bytes.
    signature = Webhook(MLFLOW_SECRET.encode()).sign(
        delivery, datetime.fromtimestamp(now, tz=UTC), body.decode()
    )
    headers = {
        "X-MLflow-Delivery-Id": delivery,
        "X-MLflow-Timestamp": str(now),
        "X-MLflow-Signature": signature,
    }

    answer = server.post("mlflow", body, headers)
    forged = server.post("mlflow", body, {**headers, "X-MLflow-Signature": "v1,AAAA"})

    assert answer.status == 202
    assert forged.status == 401
    [(subject, detail)] = server.rows(
        "SELECT subject, detail FROM audit WHERE action = 'mlflow.model_version.created'"
    )
    assert subject == "models:/churn/7"
    assert json.loads(str(detail)) == {
        "kind": "model_version.created",
        "model": "churn",
        "version": "7",
        "alias": None,
        "run_id": None,
        "decision_id": None,
    }


def test_s3_notifications_open_a_window_with_the_api_key_and_ignore_test_events(
    slow_server: Server,
) -> None:
    records = json.dumps(
        {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": "lake"},
                        "object": {"key": "churn/raw/day%3D1/part+0.parquet", "size": 9},
                    },
                }
            ]
        }
    ).encode()
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}).encode()

    accepted = slow_server.post("s3", records, {"x-api-key": S3_KEY})
    ignored = slow_server.post("s3", test_event, {"x-api-key": S3_KEY})
    refused = slow_server.post("s3", records, {"x-api-key": "guess"})

    assert (accepted.status, accepted.json()["watched"]) == (202, 1)
    assert (ignored.status, ignored.json()) == (202, {"ignored": "s3:TestEvent"})
    assert (refused.status, refused.json()) == (401, {"error": "bad x-api-key"})
    assert slow_server.rows("SELECT source, prefix, events FROM settle_windows") == [
        ("s3", PREFIX, 1)
    ]


def test_an_open_window_survives_a_restart_of_the_server(slow_server: Server) -> None:
    slow_server.send(f"{PREFIX}day=2/part-0.parquet")
    stop(slow_server)
    restarted = start_serve(slow_server.root)
    try:
        restarted.send(f"{PREFIX}day=2/_SUCCESS")
        [(status, events, _decision, _error)] = restarted.wait_settled()
    finally:
        stop(restarted)

    assert (status, events) == ("checked", 2)
    assert restarted.count("SELECT count(*) FROM decisions") == 1
