"""Google Cloud Storage notifications through a Pub/Sub push subscription.

Pub/Sub posts ``{"message": {"attributes": {"eventType": "OBJECT_FINALIZE", "bucketId",
"objectId", "objectGeneration", …}, "data": <base64 object resource>, "messageId": …},
"subscription": …}`` with ``Authorization: Bearer <OIDC token>``: a JWT signed by Google
(RS256, keys at the JWKS URL), whose ``aud`` is the audience set on the subscription and whose
``email`` is the push service account. The token is verified before the body is read.
Only ``OBJECT_FINALIZE`` (a new object, or a new generation of one) opens a window.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from retrigger.events.model import NotTheShape, ObjectCreated, Parsed, Unavailable

if TYPE_CHECKING:
    from jwt import PyJWKClient

    from retrigger.config.models import GcsEventsConfig

FINALIZE = "OBJECT_FINALIZE"
# Google signs with either spelling of its issuer.
ISSUERS = ("https://accounts.google.com", "accounts.google.com")


class TokenCheck:
    """Verifies Pub/Sub's OIDC token; the signing keys are fetched once and cached."""

    def __init__(self, config: GcsEventsConfig) -> None:
        self.config = config
        self._keys: PyJWKClient | None = None

    def problem(self, headers: Mapping[str, str], now: float) -> str | None:
        import jwt

        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "missing Authorization: Bearer token"
        if self._keys is None:
            self._keys = jwt.PyJWKClient(self.config.jwks_url, cache_keys=True, lifespan=3600)
        try:
            key = self._keys.get_signing_key_from_jwt(token.strip())
        except jwt.PyJWKClientConnectionError:
            why = f"could not fetch the signing keys from {self.config.jwks_url}"
            raise Unavailable(why) from None
        except (jwt.PyJWKClientError, jwt.InvalidTokenError):
            return "bad token: no matching signing key"
        try:
            claims = jwt.decode(
                token.strip(),
                key.key,
                algorithms=["RS256"],
                audience=self.config.audience,
                issuer=ISSUERS,
                options={"require": ["exp", "iat", "aud", "iss"]},
                leeway=0,
            )
        except jwt.ExpiredSignatureError:
            return "token expired"
        except jwt.InvalidAudienceError:
            return "token for another audience"
        except jwt.InvalidTokenError as exc:
            return f"bad token: {str(exc)[:120]}"
        if claims.get("email") != self.config.service_account or not claims.get(
            "email_verified", False
        ):
            return "token of another service account"
        return None


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
