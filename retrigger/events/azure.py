"""Azure Event Grid, Event Grid schema: ``[{"id", "topic", "subject",
"eventType": "Microsoft.Storage.BlobCreated", "data": {"url": "https://ACCOUNT.blob.core.
windows.net/container/path", "eTag", "contentLength", …}}]``.

A new subscription first sends ``Microsoft.EventGrid.SubscriptionValidationEvent`` with
``data.validationCode``; the answer ``{"validationResponse": code}`` proves the endpoint wants
the events. Every delivery, the handshake included (so nobody else can validate), proves its
sender one of two ways: a Microsoft Entra token (``events.azure``: Event Grid sends
``Authorization: Bearer <JWT>`` issued by the tenant for the webhook app, ``aud`` the app id
URI or client id), or a secret (the ``key`` query parameter of the subscription's URL, or an
``x-api-key`` delivery header).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrigger.events.model import NotTheShape, ObjectCreated, Parsed
from retrigger.events.tokens import BearerCheck

if TYPE_CHECKING:
    from retrigger.config.models import AzureEventsConfig

API_KEY_HEADER = "x-api-key"
URL_KEY = "key"
VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent"
BLOB_CREATED = "Microsoft.Storage.BlobCreated"


def token_check(config: AzureEventsConfig) -> BearerCheck | None:
    """The Entra token check, or None while ``events.azure`` names no tenant (the URL secret)."""
    if config.tenant is None or config.audience is None:
        return None
    tenant = config.tenant.lower()
    keys = config.jwks_url or f"https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys"
    # An access token says its version in its issuer: v1.0 sts.windows.net, v2.0 login.…/v2.0.
    issuers = (
        f"https://sts.windows.net/{tenant}/",
        f"https://login.microsoftonline.com/{tenant}/v2.0",
    )
    return BearerCheck(keys, config.audience, issuers)


def parse(document: Any) -> Parsed:
    events = document if isinstance(document, list) else [document]
    if not events or not all(isinstance(e, dict) for e in events):
        raise NotTheShape("not an Event Grid delivery: a JSON array of events expected")
    kinds = [e.get("eventType", e.get("type")) for e in events]
    if VALIDATION in kinds:
        return _handshake(events[kinds.index(VALIDATION)])
    topic = _topic(events[0])
    objects = tuple(_blob(e) for e, kind in zip(events, kinds, strict=True) if kind == BLOB_CREATED)
    if not objects:
        shown = ", ".join(sorted({str(k)[:60] for k in kinds}))
        return Parsed(ignored=f"no {BLOB_CREATED} ({shown})", topic=topic)
    delivery = str(events[0].get("id") or "")[:200] or None
    return Parsed(objects=objects, topic=topic, delivery=delivery)


def _handshake(event: dict[str, Any]) -> Parsed:
    data = event.get("data")
    code = data.get("validationCode") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code or len(code) > 200:
        raise NotTheShape("a SubscriptionValidationEvent without data.validationCode")
    return Parsed(validation_code=code, topic=_topic(event))


def _topic(event: dict[str, Any]) -> str:
    topic = event.get("topic", event.get("source"))
    if not isinstance(topic, str) or not topic:
        raise NotTheShape("an Event Grid event without topic")
    return topic[:1000]


def _blob(event: dict[str, Any]) -> ObjectCreated:
    data = event.get("data")
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url.startswith("https://"):
        raise NotTheShape("a BlobCreated event without data.url")
    assert isinstance(data, dict)
    size, etag = data.get("contentLength"), data.get("eTag")
    return ObjectCreated(
        url=url,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        etag=etag if isinstance(etag, str) else None,
    )
