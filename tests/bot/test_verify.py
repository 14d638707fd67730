"""The request check in front of bolt, without the app (STYLE.md #8)."""

from __future__ import annotations

import pytest

from retrigger.bot.verify import problem
from tests.support.fake_slack import sign

SECRET = "s3cret"
NOW = 1_700_000_000
BODY = b"command=%2Fretrain&text=churn"


def _headers(body: bytes = BODY, ts: int = NOW, secret: str = SECRET) -> dict[str, str]:
    return {k.lower(): v for k, v in sign(secret, body, ts).items()}


def test_a_request_signed_with_the_v0_scheme_passes() -> None:
    assert problem(_headers(), BODY, SECRET, NOW) is None
    assert problem(_headers(ts=NOW - 299), BODY, SECRET, NOW) is None


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "missing signature headers"),
        ({"x-slack-request-timestamp": str(NOW)}, "missing signature headers"),
        (
            {"x-slack-request-timestamp": "12a", "x-slack-signature": "v0=00"},
            "non-numeric timestamp",
        ),
        (
            {"x-slack-request-timestamp": "-5", "x-slack-signature": "v0=00"},
            "non-numeric timestamp",
        ),
        (
            {"x-slack-request-timestamp": "9" * 40, "x-slack-signature": "v0=00"},
            "non-numeric timestamp",
        ),
    ],
)
def test_missing_or_malformed_headers_are_refused(headers: dict[str, str], why: str) -> None:
    assert problem(headers, BODY, SECRET, NOW) == why


def test_old_future_forged_and_tampered_requests_are_refused() -> None:
    window = "timestamp outside the 5 minute window"
    assert problem(_headers(ts=NOW - 301), BODY, SECRET, NOW) == window
    assert problem(_headers(ts=NOW + 301), BODY, SECRET, NOW) == window
    assert problem(_headers(secret="guess"), BODY, SECRET, NOW) == "bad signature"
    assert problem(_headers(), BODY + b"%3B+rm", SECRET, NOW) == "bad signature"
    forged = {**_headers(), "x-slack-signature": "v0=é"}
    assert problem(forged, BODY, SECRET, NOW) == "bad signature"
