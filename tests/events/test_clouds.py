"""GCS through Pub/Sub push (an OIDC token signed by a key this test makes, its JWKS served on
loopback as "Google's" keys) and Azure Event Grid (the subscription handshake, then
BlobCreated), against a real `retrigger serve` (gunicorn) on loopback."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.events.conftest import AZURE_KEY, Server, start_serve, stop

pytestmark = pytest.mark.slow

AUDIENCE = "https://retrigger.example.com/events/gcs"
PUSHER = "push@lake-project.iam.gserviceaccount.com"
GS_PREFIX = "gs://lake/churn/raw/"
BLOB_PREFIX = "https://lakeacct.blob.core.windows.net/lake/churn/raw/"
TOPIC = "/subscriptions/0000/resourceGroups/ml/providers/Microsoft.Storage/storageAccounts/lakeacct"


@dataclass
class Keys:
    """Google's role: a signing key, and its public half served as a JWKS on loopback."""

    private: rsa.RSAPrivateKey
    url: str

    def token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": "https://accounts.google.com",
            "aud": AUDIENCE,
            "email": PUSHER,
            "email_verified": True,
            "iat": now,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(body, self.private, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture
def keys() -> Iterator[Keys]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    document = json.dumps({"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]})

    class Certs(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document.encode())

        def log_message(self, *_args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Certs)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield Keys(private, f"http://127.0.0.1:{httpd.server_address[1]}/oauth2/v3/certs")
    httpd.shutdown()


@pytest.fixture
def clouds(dvc_repo: Path, keys: Keys) -> Iterator[Server]:
    path = dvc_repo / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["events"] = {
        "watch": [
            {"source": "gcs", "prefix": GS_PREFIX, "data": "data/parts"},
            {"source": "azure", "prefix": BLOB_PREFIX, "data": "data/parts"},
        ],
        "settle": "1h",
        "gcs": {"audience": AUDIENCE, "service_account": PUSHER, "jwks_url": keys.url},
    }
    path.write_text(yaml.safe_dump(config))
    server = start_serve(dvc_repo)
    yield server
    stop(server)


def pubsub(name: str, event: str = "OBJECT_FINALIZE", message_id: str | None = None) -> bytes:
    resource = {"bucket": "lake", "name": name, "size": "42", "generation": "17"}
    return json.dumps(
        {
            "message": {
                "attributes": {
                    "eventType": event,
                    "bucketId": "lake",
                    "objectId": name,
                    "objectGeneration": "17",
                    "payloadFormat": "JSON_API_V1",
                },
                "data": base64.b64encode(json.dumps(resource).encode()).decode(),
                "messageId": message_id or uuid.uuid4().hex,
                "publishTime": "2026-03-15T02:00:00Z",
            },
            "subscription": "projects/lake-project/subscriptions/retrigger",
        }
    ).encode()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_gcs_finalize_with_googles_token_opens_a_window_once(clouds: Server, keys: Keys) -> None:
    body = pubsub("churn/raw/day=1/part-0.parquet", message_id="m-1")

    accepted = clouds.post("gcs", body, bearer(keys.token()))
    redelivered = clouds.post("gcs", body, bearer(keys.token()))
    deleted = clouds.post(
        "gcs", pubsub("churn/raw/x.parquet", "OBJECT_DELETE"), bearer(keys.token())
    )

    assert (accepted.status, accepted.json()) == (202, {"watched": 1, "objects": 1})
    assert (redelivered.status, redelivered.json()) == (200, {"duplicate": True})
    assert deleted.status == 202 and "OBJECT_DELETE" in deleted.json()["ignored"]
    assert clouds.rows("SELECT source, prefix, events FROM settle_windows") == [
        ("gcs", GS_PREFIX, 1)
    ]


def test_gcs_tokens_that_google_did_not_mean_for_us_are_refused_and_store_nothing(
    clouds: Server, keys: Keys
) -> None:
    body = pubsub("churn/raw/part-0.parquet")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = Keys(stranger, keys.url).token()

    answers = {
        "none": clouds.post("gcs", body, {}),
        "audience": clouds.post("gcs", body, bearer(keys.token(aud="https://other.example"))),
        "expired": clouds.post(
            "gcs", body, bearer(keys.token(iat=int(time.time()) - 7200, exp=int(time.time()) - 60))
        ),
        "account": clouds.post("gcs", body, bearer(keys.token(email="someone@evil.example"))),
        "forged": clouds.post("gcs", body, bearer(forged)),
        "shape": clouds.post("gcs", b'{"message": 1}', bearer(keys.token())),
    }

    said = {name: (a.status, a.json()["error"]) for name, a in answers.items()}
    assert said == {
        "none": (401, "missing Authorization: Bearer token"),
        "audience": (401, "token for another audience"),
        "expired": (401, "token expired"),
        "account": (401, "token of another service account"),
        "forged": (401, "bad token: Signature verification failed"),
        "shape": (400, 'not a Pub/Sub push: {"message": {…}, "subscription": …} expected'),
    }
    assert clouds.count("SELECT count(*) FROM inbound") == 0
    assert clouds.count("SELECT count(*) FROM settle_windows") == 0


def blob_created(name: str) -> bytes:
    return json.dumps(
        [
            {
                "id": str(uuid.uuid4()),
                "topic": TOPIC,
                "subject": f"/blobServices/default/containers/lake/blobs/{name}",
                "eventType": "Microsoft.Storage.BlobCreated",
                "eventTime": "2026-03-15T02:00:00Z",
                "data": {
                    "api": "PutBlob",
                    "url": f"https://lakeacct.blob.core.windows.net/lake/{name}",
                    "eTag": "0x8D",
                    "contentLength": 42,
                },
                "dataVersion": "",
                "metadataVersion": "1",
            }
        ]
    ).encode()


def validation() -> bytes:
    return json.dumps(
        [
            {
                "id": str(uuid.uuid4()),
                "topic": TOPIC,
                "subject": "",
                "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
                "data": {"validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"},
                "eventTime": "2026-03-15T02:00:00Z",
            }
        ]
    ).encode()


def test_azure_event_grid_handshake_then_blob_created(clouds: Server) -> None:
    handshake = validation()
    grid = {"aeg-event-type": "SubscriptionValidation"}
    with_key = f"{clouds.url}/events/azure?key={AZURE_KEY}"
    from tests.events.conftest import post

    early = post(with_key, blob_created("churn/raw/part-0.parquet"), {})
    unkeyed = clouds.post("azure", handshake, grid)
    validated = post(with_key, handshake, grid)
    created = post(with_key, blob_created("churn/raw/part-1.parquet"), {})
    by_header = clouds.post(
        "azure", blob_created("churn/raw/part-2.parquet"), {"x-api-key": AZURE_KEY}
    )
    wrong = post(f"{clouds.url}/events/azure?key=guess", blob_created("churn/raw/p.parquet"), {})

    assert early.status == 401 and "was not validated here" in early.json()["error"]
    assert (unkeyed.status, unkeyed.json()) == (401, {"error": "missing x-api-key header"})
    assert (validated.status, validated.json()) == (
        200,
        {"validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"},
    )
    assert (created.status, created.json()) == (202, {"watched": 1, "objects": 1})
    assert by_header.status == 202
    assert (wrong.status, wrong.json()) == (401, {"error": "bad x-api-key"})
    assert clouds.rows("SELECT source, prefix, events FROM settle_windows") == [
        ("azure", BLOB_PREFIX, 2)
    ]


TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP = "api://retrigger-events"
V1_ISSUER = f"https://sts.windows.net/{TENANT}/"


@pytest.fixture
def entra(dvc_repo: Path, keys: Keys) -> Iterator[Server]:
    """Event Grid with Microsoft Entra authentication; the test's key plays the tenant's."""
    path = dvc_repo / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["events"] = {
        "watch": [{"source": "azure", "prefix": BLOB_PREFIX, "data": "data/parts"}],
        "settle": "1h",
        "azure": {"tenant": TENANT, "audience": APP, "jwks_url": keys.url},
    }
    path.write_text(yaml.safe_dump(config))
    server = start_serve(dvc_repo)
    yield server
    stop(server)


def test_azure_event_grid_with_an_entra_token(entra: Server, keys: Keys) -> None:
    def token(**claims: Any) -> dict[str, str]:
        return bearer(keys.token(**({"iss": V1_ISSUER, "aud": APP} | claims)))

    now = int(time.time())
    refused = {
        "none": entra.post("azure", validation(), {}),
        "url secret": entra.post("azure", validation(), {"x-api-key": AZURE_KEY}),
        "audience": entra.post("azure", validation(), token(aud="api://someone-else")),
        "issuer": entra.post(
            "azure", validation(), token(iss="https://sts.windows.net/another-tenant/")
        ),
        "expired": entra.post("azure", validation(), token(iat=now - 7200, exp=now - 60)),
    }
    validated = entra.post("azure", validation(), token())
    v2 = f"https://login.microsoftonline.com/{TENANT}/v2.0"
    created = entra.post("azure", blob_created("churn/raw/part-1.parquet"), token(iss=v2))

    assert {name: (a.status, a.json()["error"]) for name, a in refused.items()} == {
        "none": (401, "missing Authorization: Bearer token"),
        "url secret": (401, "missing Authorization: Bearer token"),
        "audience": (401, "token for another audience"),
        "issuer": (401, "token from another issuer"),
        "expired": (401, "token expired"),
    }
    assert (validated.status, validated.json()) == (
        200,
        {"validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"},
    )
    assert (created.status, created.json()) == (202, {"watched": 1, "objects": 1})
    assert entra.count("SELECT count(*) FROM audit WHERE action = 'events.azure_validated'") == 1
    assert entra.rows("SELECT source, prefix, events FROM settle_windows") == [
        ("azure", BLOB_PREFIX, 1)
    ]
