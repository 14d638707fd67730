"""Checks on an inbound HTTP request before bolt sees it (STYLE.md #8: small middleware,
tested without the app): size, signature headers, timestamp window, HMAC (Slack's v0 scheme).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

MAX_BODY = 1024 * 1024  # Slack never sends more; anything bigger is refused with 413
WINDOW_S = 5 * 60  # a timestamp older or newer than this is a replay or a skewed clock


def problem(headers: Mapping[str, str], body: bytes, secret: str, now: float) -> str | None:
    """Why this request must be refused, or None. Header names are lower-case."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp or not signature:
        return "missing signature headers"
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "non-numeric timestamp"
    if abs(now - int(timestamp)) > WINDOW_S:
        return "timestamp outside the 5 minute window"
    expected = (
        "v0="
        + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "bad signature"
    return None
