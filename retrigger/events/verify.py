"""Checks on an inbound event before anything is parsed or stored (STYLE.md #8).

Standard Webhooks (https://www.standardwebhooks.com): ``webhook-signature`` carries one or
more space-separated ``v1,<base64 HMAC-SHA256>`` entries over ``"<id>.<timestamp>.<body>"``;
the secret is ``whsec_<base64 key>``. MLflow's webhooks sign the same string with the same
algorithm, under ``X-MLflow-*`` header names and with the secret's UTF-8 bytes as the key
(mlflow/webhooks/delivery.py). API-key senders (EventBridge API destinations) send a header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

MAX_BODY = 1024 * 1024  # an event is a notification, never the data itself
WINDOW_S = 5 * 60  # a timestamp further than this from our clock is a replay or a skewed clock
MAX_ID = 200  # delivery ids are uuids or msg_… ids; anything longer is not a sender's


@dataclass(frozen=True)
class Scheme:
    """Where a sender puts the delivery id, the timestamp and the signature (lower-case)."""

    id_header: str
    timestamp_header: str
    signature_header: str


STANDARD = Scheme("webhook-id", "webhook-timestamp", "webhook-signature")
MLFLOW = Scheme("x-mlflow-delivery-id", "x-mlflow-timestamp", "x-mlflow-signature")


def standard_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_…`` secret; ValueError when it is not base64."""
    text = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the webhook secret is not whsec_<base64>") from None


def signature_problem(
    scheme: Scheme, headers: Mapping[str, str], body: bytes, key: bytes, now: float
) -> str | None:
    """Why this delivery must be refused, or None. Header names are lower-case."""
    delivery = headers.get(scheme.id_header, "")
    timestamp = headers.get(scheme.timestamp_header, "")
    signatures = headers.get(scheme.signature_header, "")
    if not delivery or not timestamp or not signatures:
        return "missing signature headers"
    if len(delivery) > MAX_ID or not delivery.isprintable():
        return "unreadable delivery id"
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "non-numeric timestamp"
    if abs(now - int(timestamp)) > WINDOW_S:
        return "timestamp outside the 5 minute window"
    signed = f"{delivery}.{timestamp}.".encode() + body
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    for entry in signatures.split():
        version, _, value = entry.partition(",")
        if version == "v1" and hmac.compare_digest(_b64(value), expected):
            return None
    return "bad signature"


def api_key_problem(headers: Mapping[str, str], header: str, key: str) -> str | None:
    given = headers.get(header, "")
    if not given:
        return f"missing {header} header"
    if not hmac.compare_digest(given.encode("utf-8", "replace"), key.encode()):
        return f"bad {header}"
    return None


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return b""
