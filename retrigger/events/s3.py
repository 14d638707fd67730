"""S3 Event Notifications, both shapes: the notification's ``{"Records": [{"eventSource":
"aws:s3", "eventName": "ObjectCreated:Put", "s3": {"bucket": {"name"}, "object": {"key"
(URL-encoded), "size", "eTag"}}}]}`` and EventBridge's ``{"source": "aws.s3", "detail-type":
"Object Created", "detail": {"bucket": {"name"}, "object": {"key", "size", "etag"}}}``.
S3's ``s3:TestEvent`` (sent when a notification is configured) is answered and ignored."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from retrigger.events.model import NotTheShape, ObjectCreated, Parsed

API_KEY_HEADER = "x-api-key"


def parse(document: Any) -> Parsed:
    if not isinstance(document, dict):
        raise NotTheShape("not an S3 event: a JSON object was expected")
    if document.get("Event") == "s3:TestEvent":
        return Parsed(ignored="s3:TestEvent")
    if isinstance(document.get("Records"), list):
        return Parsed(objects=tuple(_record(r) for r in document["Records"] if _created(r)))
    if document.get("source") == "aws.s3" and isinstance(document.get("detail"), dict):
        if document.get("detail-type") != "Object Created":
            return Parsed(ignored=f"detail-type {str(document.get('detail-type'))[:60]!r}")
        return Parsed(objects=(_object(document["detail"], encoded=False),))
    raise NotTheShape("not an S3 event: neither Records nor an EventBridge aws.s3 event")


def _created(record: Any) -> bool:
    if not isinstance(record, dict) or record.get("eventSource") != "aws:s3":
        raise NotTheShape("an S3 record without eventSource aws:s3")
    return str(record.get("eventName", "")).startswith("ObjectCreated:")


def _record(record: dict[str, Any]) -> ObjectCreated:
    s3 = record.get("s3")
    if not isinstance(s3, dict):
        raise NotTheShape("an S3 record without s3")
    return _object(s3, encoded=True)


def _object(where: dict[str, Any], encoded: bool) -> ObjectCreated:
    bucket, found = where.get("bucket"), where.get("object")
    if not isinstance(bucket, dict) or not isinstance(found, dict):
        raise NotTheShape("an S3 event without bucket and object")
    name, key = bucket.get("name"), found.get("key")
    if not isinstance(name, str) or not name or not isinstance(key, str) or not key:
        raise NotTheShape("an S3 event without bucket.name and object.key")
    size = found.get("size")
    etag = found.get("eTag", found.get("etag"))
    return ObjectCreated(
        url=f"s3://{name}/{unquote_plus(key) if encoded else key}",
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        etag=etag if isinstance(etag, str) else None,
    )
