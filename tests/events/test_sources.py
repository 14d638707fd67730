"""Each sender's body turned into typed events, or refused in one line."""

from __future__ import annotations

from typing import Any

import pytest

from retrigger.events import azure, gcs, mlflow, s3, webhook
from retrigger.events.model import NotTheShape, ObjectCreated, RegistryChange


def test_eventbridge_object_created_is_read_with_its_key_as_is() -> None:
    event = {
        "version": "0",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": {
            "bucket": {"name": "lake"},
            "object": {"key": "raw/day=1/part 0.parquet", "size": 5, "etag": "e1"},
        },
    }

    assert s3.parse(event).objects == (
        ObjectCreated("s3://lake/raw/day=1/part 0.parquet", 5, "e1"),
    )


def test_s3_records_keep_only_created_objects_and_decode_their_keys() -> None:
    def record(name: str, key: str) -> dict[str, Any]:
        return {
            "eventSource": "aws:s3",
            "eventName": name,
            "s3": {"bucket": {"name": "lake"}, "object": {"key": key, "eTag": "e"}},
        }

    parsed = s3.parse(
        {
            "Records": [
                record("ObjectCreated:Put", "a%2Fb+c.csv"),
                record("ObjectRemoved:Delete", "x"),
            ]
        }
    )

    assert parsed.objects == (ObjectCreated("s3://lake/a/b c.csv", None, "e"),)


def test_eventbridge_events_other_than_object_created_are_ignored() -> None:
    parsed = s3.parse({"source": "aws.s3", "detail-type": "Object Deleted", "detail": {}})

    assert parsed.ignored == "detail-type 'Object Deleted'" and parsed.objects == ()


def test_an_mlflow_alias_move_is_a_registry_change() -> None:
    parsed = mlflow.parse(
        {
            "entity": "model_version_alias",
            "action": "created",
            "data": {"name": "churn", "alias": "champion", "version": "7"},
        }
    )

    assert parsed.registry == RegistryChange(
        "model_version_alias.created", "churn", "7", "champion"
    )


@pytest.mark.parametrize(
    ("parse", "document", "reason"),
    [
        (webhook.parse, [1], "not a Standard Webhooks event"),
        (webhook.parse, {"type": "object.created", "data": {}}, "object.created without data.url"),
        (mlflow.parse, {"entity": "x"}, "not an MLflow webhook"),
        (s3.parse, {"Records": [{"eventSource": "aws:sqs"}]}, "without eventSource aws:s3"),
        (
            s3.parse,
            {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"}]},
            "without s3",
        ),
        (s3.parse, {"hello": 1}, "neither Records nor an EventBridge"),
        (gcs.parse, {"message": {"data": "x"}}, "without attributes"),
        (
            gcs.parse,
            {"message": {"attributes": {"eventType": "OBJECT_FINALIZE", "bucketId": "b"}}},
            "without bucketId and objectId",
        ),
        (azure.parse, [], "a JSON array of events expected"),
        (azure.parse, [{"eventType": "Microsoft.Storage.BlobCreated"}], "without topic"),
        (
            azure.parse,
            [{"topic": "t", "eventType": "Microsoft.Storage.BlobCreated", "data": {}}],
            "a BlobCreated event without data.url",
        ),
        (
            azure.parse,
            [{"topic": "t", "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent"}],
            "without data.validationCode",
        ),
    ],
)
def test_a_body_that_is_not_the_senders_shape_is_refused(
    parse: Any, document: Any, reason: str
) -> None:
    with pytest.raises(NotTheShape, match=reason):
        parse(document)


def test_a_gcs_finalize_is_the_objects_url_with_its_generation() -> None:
    parsed = gcs.parse(
        {
            "message": {
                "attributes": {
                    "eventType": "OBJECT_FINALIZE",
                    "bucketId": "lake",
                    "objectId": "raw/part 0.parquet",
                    "objectGeneration": "17",
                },
                "messageId": "m-1",
            }
        }
    )

    assert parsed.objects == (ObjectCreated("gs://lake/raw/part 0.parquet", None, "generation 17"),)
    assert parsed.delivery == "m-1"


def test_an_event_grid_handshake_carries_its_code_and_topic() -> None:
    parsed = azure.parse(
        [
            {
                "topic": "/subscriptions/s/storageAccounts/a",
                "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
                "data": {"validationCode": "abc"},
            }
        ]
    )

    assert (parsed.validation_code, parsed.topic) == ("abc", "/subscriptions/s/storageAccounts/a")
