"""The Standard Webhooks check, tested without the server against the reference signer."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from standardwebhooks import Webhook

from retrigger.events import verify

SECRET = "whsec_" + base64.b64encode(b"k" * 24).decode()
NOW = 1_773_540_000.0
BODY = b'{"type": "object.created", "data": {"url": "s3://b/k"}}'


def _headers(
    delivery: str = "msg_1", at: float = NOW, secret: str | bytes = SECRET
) -> dict[str, str]:
    moment = datetime.fromtimestamp(at, tz=UTC)
    return {
        "webhook-id": delivery,
        "webhook-timestamp": str(int(at)),
        "webhook-signature": Webhook(secret).sign(delivery, moment, BODY.decode()),
    }


def _problem(headers: dict[str, str], body: bytes = BODY, now: float = NOW) -> str | None:
    key = verify.standard_key(SECRET)
    return verify.signature_problem(verify.STANDARD, headers, body, key, now)


def test_a_reference_signature_passes_inside_the_window() -> None:
    assert _problem(_headers()) is None
    assert _problem(_headers(), now=NOW + 300) is None
    assert _problem(_headers(), now=NOW - 300) is None


def test_one_matching_signature_among_several_passes() -> None:
    headers = _headers()
    other = Webhook("whsec_" + base64.b64encode(b"o" * 24).decode())
    rotated = other.sign("msg_1", datetime.fromtimestamp(NOW, tz=UTC), BODY.decode())
    headers["webhook-signature"] = f"v1a,xyz {rotated} {headers['webhook-signature']}"

    assert _problem(headers) is None


def test_refusals_say_why_in_one_line() -> None:
    assert _problem(_headers(), body=BODY + b" ") == "bad signature"
    assert _problem(_headers(secret="whsec_" + base64.b64encode(b"x" * 24).decode())) == (
        "bad signature"
    )
    assert _problem(_headers(), now=NOW + 301) == "timestamp outside the 5 minute window"
    assert _problem(_headers(), now=NOW - 301) == "timestamp outside the 5 minute window"
    assert _problem({**_headers(), "webhook-timestamp": "1e9"}) == "non-numeric timestamp"
    assert _problem({**_headers(), "webhook-signature": "v1,%%%"}) == "bad signature"
    assert _problem({"webhook-id": "msg_1"}) == "missing signature headers"
    assert _problem(_headers(delivery="x" * 201)) == "unreadable delivery id"


def test_a_secret_that_is_not_whsec_base64_is_named() -> None:
    assert verify.standard_key("whsec_" + base64.b64encode(b"abc").decode()) == b"abc"
    try:
        verify.standard_key("whsec_not base64!")
    except ValueError as exc:
        assert str(exc) == "the webhook secret is not whsec_<base64>"
    else:
        raise AssertionError("accepted a secret that is not base64")


def test_mlflow_signs_the_same_string_with_the_secrets_bytes() -> None:
    delivery = "0b6c3f7e-1d2a-4a57-9a59-8c1f1e0c2d11"
    signature = Webhook(b"mlflow-secret").sign(
        delivery, datetime.fromtimestamp(NOW, tz=UTC), BODY.decode()
    )
    headers = {
        "x-mlflow-delivery-id": delivery,
        "x-mlflow-timestamp": str(int(NOW)),
        "x-mlflow-signature": signature,
    }

    assert verify.signature_problem(verify.MLFLOW, headers, BODY, b"mlflow-secret", NOW) is None
    assert verify.signature_problem(verify.MLFLOW, headers, BODY, b"other", NOW) == "bad signature"
