"""The generic Standard Webhooks sender: ``{"type": "object.created", "timestamp": …,
"data": {"url": "s3://bucket/key", "size": N, "etag": "…"}}``; other types are ignored."""

from __future__ import annotations

from typing import Any

from retrigger.events.model import NotTheShape, ObjectCreated, Parsed

CREATED = "object.created"


def parse(document: Any) -> Parsed:
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise NotTheShape('not a Standard Webhooks event: {"type": …, "data": {…}}')
    if document["type"] != CREATED:
        return Parsed(ignored=f"type {document['type'][:60]!r} is not {CREATED}")
    data = document.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("url"), str) or not data["url"]:
        raise NotTheShape("object.created without data.url")
    size, etag = data.get("size"), data.get("etag")
    return Parsed(
        objects=(
            ObjectCreated(
                url=data["url"],
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                etag=etag if isinstance(etag, str) else None,
            ),
        )
    )
