"""A real ``retrigger serve`` process (gunicorn) on loopback over a real git + DVC repo, and a
sender that signs with the Standard Webhooks reference library."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.conftest import sqlite_rows

SECRET = "whsec_" + base64.b64encode(b"retrigger-events-test-key-32byte").decode()
MLFLOW_SECRET = "mlflow-webhook-secret"
S3_KEY = "s3-api-key"
AZURE_KEY = "azure-url-key"
ENV = {
    "RETRAIN_EVENTS_AZURE_KEY": AZURE_KEY,
    "RETRAIN_EVENTS_WEBHOOK_SECRET": SECRET,
    "RETRAIN_EVENTS_MLFLOW_SECRET": MLFLOW_SECRET,
    "RETRAIN_EVENTS_S3_API_KEY": S3_KEY,
}
PREFIX = "s3://lake/churn/raw/"


def events_config(settle: str, marker: str = "_SUCCESS") -> str:
    return (
        "events:\n"
        f"  watch: [{{source: webhook, prefix: '{PREFIX}', data: data/parts}},\n"
        f"          {{source: s3, prefix: '{PREFIX}', data: data/parts}}]\n"
        f"  settle: {settle}\n"
        f"  marker: {marker}\n"
    )


def signed(
    body: bytes, delivery: str, when: int | None = None, key: str | bytes = SECRET
) -> dict[str, str]:
    """Standard Webhooks headers, signed by the reference implementation."""
    moment = datetime.fromtimestamp(time.time() if when is None else when, tz=UTC)
    signature = Webhook(key).sign(delivery, moment, body.decode())
    return {
        "webhook-id": delivery,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }


def object_created(url: str, etag: str | None = None) -> bytes:
    return json.dumps(
        {
            "type": "object.created",
            "timestamp": datetime.now(tz=UTC).isoformat(),
            "data": {"url": url, "size": 123, "etag": etag or uuid.uuid4().hex},
        }
    ).encode()


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read())


@dataclass
class Server:
    url: str
    root: Path
    process: subprocess.Popen[bytes]
    log: list[str] = field(default_factory=list)

    def post(self, source: str, body: bytes, headers: dict[str, str]) -> Answer:
        return post(self.url + f"/events/{source}", body, headers)

    def send(self, url: str, delivery: str | None = None) -> Answer:
        body = object_created(url)
        return self.post("webhook", body, signed(body, delivery or f"msg_{uuid.uuid4().hex}"))

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        return sqlite_rows(self.root / ".retrigger" / "state.db", sql)

    def count(self, sql: str) -> int:
        return int(str(self.rows(sql)[0][0]))

    def wait_settled(self, count: int = 1, timeout: float = 90.0) -> list[tuple[object, ...]]:
        """The finished windows, once ``count`` of them finished (their checks ran)."""
        deadline = time.monotonic() + timeout
        sql = "SELECT status, events, decision_id, error FROM settle_windows"
        while True:
            done = [r for r in self.rows(sql) if r[0] in ("checked", "failed")]
            if len(done) >= count:
                return done
            if time.monotonic() > deadline:
                raise AssertionError(f"no settled window:\n{self.rows(sql)}\n{''.join(self.log)}")
            threading.Event().wait(0.1)


def start_serve(
    root: Path, *args: str, timeout: float = 30.0, env: dict[str, str] | None = None
) -> Server:
    env = {
        **os.environ,
        **ENV,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DVC_NO_ANALYTICS": "1",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "retrigger", "serve", "--port", "0", *args],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    ready = threading.Event()
    found: dict[str, str] = {}
    log: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode(errors="replace")
            log.append(line)
            match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
            if match:
                found["url"] = match.group(1)
            if "Booting worker" in line and "url" in found:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout):
        process.kill()
        raise AssertionError("retrigger serve did not start:\n" + "".join(log))
    server = Server(found["url"], root, process, log)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=5):
                return server
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            threading.Event().wait(0.05)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


def serving(repo: Path, settle: str) -> Iterator[Server]:
    config = repo / "retrigger.yaml"
    config.write_text(config.read_text() + events_config(settle))
    server = start_serve(repo)
    yield server
    stop(server)


@pytest.fixture
def server(dvc_repo: Path) -> Iterator[Server]:
    """Served with a 2 s settle window."""
    yield from serving(dvc_repo, "2s")


@pytest.fixture
def slow_server(dvc_repo: Path) -> Iterator[Server]:
    """Served with a 1 h settle window: only the marker object closes it."""
    yield from serving(dvc_repo, "1h")
