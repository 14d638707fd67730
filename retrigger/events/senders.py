"""Each source's authentication and body shape: ``/events/<source>`` → ``Sender``.

Secrets come from ``Secrets`` (the environment); GCS's token is checked against
``events.gcs``, Event Grid's Entra token (when ``events.azure`` names a tenant) against
``events.azure``. A sender without its secret refuses every request, naming what to set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from retrigger.config.models import EventsConfig
from retrigger.config.secrets import Secrets
from retrigger.events import azure, gcs, mlflow, s3, verify, webhook
from retrigger.events.model import Parsed
from retrigger.events.tokens import BearerCheck


@dataclass(frozen=True)
class Request:
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sender:
    """How one source authenticates and what its body looks like."""

    secret_name: str  # what to set, named in refusals (never its value)
    secret: str | None
    problem: Callable[[Request, str, float], str | None]
    delivery_id: Callable[[Request], str]
    parse: Callable[[Any], Parsed]


def senders(secrets: Secrets, config: EventsConfig) -> dict[str, Sender]:
    google, entra = gcs.token_check(config.gcs), azure.token_check(config.azure)
    return {
        "webhook": Sender(
            "RETRAIN_EVENTS_WEBHOOK_SECRET",
            secrets.events_webhook_secret,
            _standard,
            lambda r: r.headers[verify.STANDARD.id_header],
            webhook.parse,
        ),
        "mlflow": Sender(
            "RETRAIN_EVENTS_MLFLOW_SECRET",
            secrets.events_mlflow_secret,
            _mlflow,
            lambda r: r.headers[verify.MLFLOW.id_header],
            mlflow.parse,
        ),
        "s3": Sender(
            "RETRAIN_EVENTS_S3_API_KEY",
            secrets.events_s3_api_key,
            lambda r, key, _now: verify.api_key_problem(r.headers, s3.API_KEY_HEADER, key),
            _body_digest,  # S3 sends no delivery id; a redelivery is the same body
            s3.parse,
        ),
        "gcs": Sender(
            "events.gcs (audience and service_account)",
            google.audience if google is not None else None,
            lambda r, _aud, _now: google.problem(r.headers) if google is not None else None,
            _body_digest,  # the body's messageId is used once it is parsed
            gcs.parse,
        ),
        "azure": _azure_sender(secrets, entra),
    }


def _azure_sender(secrets: Secrets, entra: BearerCheck | None) -> Sender:
    """With ``events.azure`` (a tenant), the Entra token; without, the URL secret."""
    if entra is not None:
        return Sender(
            "events.azure (tenant and audience)",
            entra.audience,
            lambda r, _aud, _now: entra.problem(r.headers),
            _body_digest,
            azure.parse,
        )
    return Sender(
        "RETRAIN_EVENTS_AZURE_KEY", secrets.events_azure_key, _azure, _body_digest, azure.parse
    )


def _body_digest(request: Request) -> str:
    return hashlib.sha256(request.body).hexdigest()[:40]


def _standard(request: Request, secret: str, now: float) -> str | None:
    try:
        key = verify.standard_key(secret)
    except ValueError as exc:
        return str(exc)
    return verify.signature_problem(verify.STANDARD, request.headers, request.body, key, now)


def _mlflow(request: Request, secret: str, now: float) -> str | None:
    return verify.signature_problem(
        verify.MLFLOW, request.headers, request.body, secret.encode(), now
    )


def _azure(request: Request, key: str, _now: float) -> str | None:
    """The subscription URL's ``?key=`` or an ``x-api-key`` delivery header."""
    if azure.URL_KEY in request.query:
        given = {azure.API_KEY_HEADER: request.query[azure.URL_KEY]}
        return verify.api_key_problem(given, azure.API_KEY_HEADER, key)
    return verify.api_key_problem(request.headers, azure.API_KEY_HEADER, key)
