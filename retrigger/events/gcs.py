"""Google Cloud Storage notifications through a Pub/Sub push subscription.

Pub/Sub posts ``{"message": {"attributes": {"eventType": "OBJECT_FINALIZE", "bucketId",
"objectId", "objectGeneration", …}, "data": <base64 object resource>, "messageId": …},
"subscription": …}`` with ``Authorization: Bearer <OIDC token>``: a JWT signed by Google
(RS256, keys at the JWKS URL), whose ``aud`` is the audience set on the subscription and whose
``email`` is the push service account (``retrigger.events.tokens``), checked before the body
is read.
Only ``OBJECT_FINALIZE`` (a new object, or a new generation of one) opens a window.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from retrigger.events.model import NotTheShape, ObjectCreated, Parsed
from retrigger.events.tokens import BearerCheck

if TYPE_CHECKING:
    from retrigger.config.models import GcsEventsConfig

FINALIZE = "OBJECT_FINALIZE"
# Google signs with either spelling of its issuer.
ISSUERS = ("https://accounts.google.com", "accounts.google.com")


def token_check(config: GcsEventsConfig) -> BearerCheck | None:
    """Pub/Sub's OIDC token check, or None while ``events.gcs`` does not say what to expect."""
    if not config.audience or not config.service_account:
        return None
    account = config.service_account

    def pusher_problem(claims: dict[str, Any]) -> str | None:
        if claims.get("email") != account or not claims.get("email_verified", False):
            return "token of another service account"
        return None

    return BearerCheck(config.jwks_url, config.audience, ISSUERS, pusher_problem)


def parse(document: Any) -> Parsed:
    if not isinstance(document, dict) or not isinstance(document.get("message"), dict):
        raise NotTheShape('not a Pub/Sub push: {"message": {…}, "subscription": …} expected')
    message = document["message"]
    attributes = message.get("attributes")
    if not isinstance(attributes, dict):
        raise NotTheShape("a Pub/Sub message without attributes: not a GCS notification")
    delivery = message.get("messageId") or message.get("message_id")
    delivery = str(delivery)[:200] if isinstance(delivery, str | int) else None
    event = attributes.get("eventType")
    if event != FINALIZE:
        return Parsed(ignored=f"eventType {str(event)[:60]!r} is not {FINALIZE}", delivery=delivery)
    bucket, name = attributes.get("bucketId"), attributes.get("objectId")
    if not isinstance(bucket, str) or not bucket or not isinstance(name, str) or not name:
        raise NotTheShape("a GCS notification without bucketId and objectId")
    generation = attributes.get("objectGeneration")
    found = ObjectCreated(
        url=f"gs://{bucket}/{name}",
        size=_size(message.get("data")),
        # The same generation announced twice is the same object.
        etag=f"generation {generation}" if isinstance(generation, str) and generation else None,
    )
    return Parsed(objects=(found,), delivery=delivery)


def _size(data: object) -> int | None:
    """The object resource's size, when the notification carries it (JSON_API_V1)."""
    if not isinstance(data, str) or not data:
        return None
    try:
        resource = json.loads(base64.b64decode(data, validate=True))
        size = resource.get("size") if isinstance(resource, dict) else None
        return int(size) if isinstance(size, str | int) and str(size).isdigit() else None
    except (binascii.Error, ValueError, RecursionError):
        return None
