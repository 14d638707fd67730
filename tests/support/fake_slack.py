"""A fake Slack Web API (and GitHub REST API) on 127.0.0.1, port 0, in a daemon thread.

Every request is recorded (method, path, headers, body, parsed params); tests wait on calls
with a timeout instead of sleeping, and choose faults per test: ``fail("chat.postMessage",
status=429, retry_after=1)``, a 500, an ``ok: false`` error, or ``refused_url()`` for a port
nobody listens on. Signed inbound requests (the real v0 scheme) are built by ``sign``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Call:
    method: str  # HTTP verb
    path: str
    headers: dict[str, str]
    body: bytes
    params: dict[str, Any]

    @property
    def api(self) -> str:
        """``/api/chat.postMessage`` → ``chat.postMessage``."""
        return self.path.split("?", 1)[0].rsplit("/", 1)[-1]


@dataclass
class Fault:
    status: int = 200
    error: str | None = None
    retry_after: float | None = None
    times: int = 1
    when: Callable[[Call], bool] | None = None
    raw: bytes | None = None  # a body that is not Slack's JSON (a proxy's HTML error page)


@dataclass
class FakeSlack:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    # users.info: id → display name; an id not listed answers user_not_found, like Slack.
    users: dict[str, str] = field(default_factory=dict)
    socket_url: str = "ws://127.0.0.1:9/"
    _faults: dict[str, list[Fault]] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def fail(
        self,
        api: str,
        status: int = 200,
        *,
        error: str | None = None,
        retry_after: float | None = None,
        times: int = 1,
        when: Callable[[Call], bool] | None = None,
        raw: bytes | None = None,
    ) -> None:
        """The next ``times`` calls of ``api`` (matching ``when``) fail this way, then it
        answers normally again."""
        with self._changed:
            self._faults.setdefault(api, []).append(
                Fault(status, error, retry_after, times, when, raw)
            )

    def wait_for(
        self,
        api: str,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until ``count`` calls of ``api`` (matching ``where``) arrived; fail after
        ``timeout`` seconds with what did arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self.of(api, where)
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"waited {timeout}s for {count} {api} call(s); got "
                        f"{[c.api for c in self.calls]}"
                    )
                self._changed.wait(left)

    def of(self, api: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        return [c for c in list(self.calls) if c.api == api and (where is None or where(c))]

    # -- the server side -------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _fault_for(self, call: Call) -> Fault | None:
        with self._changed:
            queue = self._faults.get(call.api) or []
            for fault in queue:
                if fault.when is None or fault.when(call):
                    fault.times -= 1
                    if fault.times <= 0:
                        queue.remove(fault)
                    return fault
            return None

    def answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any] | bytes | None]:
        fault = self._fault_for(call)
        if fault is not None:
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after else {}
            if fault.raw is not None:
                return fault.status, {"Content-Type": "text/html"}, fault.raw
            error = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
            return fault.status, headers, {"ok": False, "error": error}
        if call.path.startswith("/repos/"):  # GitHub's workflow_dispatch: 204 No Content
            return 204, {}, None
        if call.api == "users.info" and str(call.params.get("user")) not in self.users:
            return 200, {}, {"ok": False, "error": "user_not_found"}
        return 200, {}, {"ok": True, **self._result(call)}

    def _result(self, call: Call) -> dict[str, Any]:
        if call.api in {"chat.postMessage", "chat.update"}:
            ts = call.params.get("ts") or f"1700000000.{next(self._ts):06d}"
            channel = str(call.params.get("channel", ""))
            return {
                "channel": "C" + channel.strip("#").upper()[:8]
                if channel.startswith("#")
                else channel,
                "ts": ts,
            }
        if call.api == "chat.postEphemeral":
            return {"message_ts": f"1700000000.{next(self._ts):06d}"}
        if call.api == "users.info":
            user = str(call.params.get("user"))
            name = self.users[user]
            return {
                "user": {
                    "id": user,
                    "name": name.lower().replace(" ", "."),
                    "real_name": name,
                    "profile": {"display_name": name, "real_name": name},
                }
            }
        if call.api == "usergroups.users.list":
            return {"users": self.usergroups.get(str(call.params.get("usergroup")), [])}
        if call.api == "auth.test":
            return {
                "user_id": "UBOT",
                "team_id": "T0TEAM",
                "bot_id": "BBOT",
                "team": "test",
                "url": "https://test.slack.invalid/",
            }
        if call.api == "apps.connections.open":
            return {"url": self.socket_url}
        if call.api == "files.getUploadURLExternal":  # files_upload_v2, step 1 of 3
            file_id = f"F{next(self._ts):06d}"
            return {
                "upload_url": f"{self.url.removesuffix('api/')}upload/{file_id}",
                "file_id": file_id,
            }
        if call.api == "files.completeUploadExternal":  # step 3: the file lands in a channel
            return {
                "files": [
                    {"id": f["id"], "title": f.get("title")}
                    for f in json.loads(str(call.params.get("files", "[]")))
                ]
            }
        return {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        call = Call(
            self.command,
            self.path,
            dict(self.headers.items()),
            body,
            _params(self.path, self.headers.get("Content-Type", ""), body),
        )
        self.server.fake._record(call)
        status, headers, document = self.server.fake.answer(call)
        if isinstance(document, bytes):
            payload = document
        else:
            payload = json.dumps(document).encode() if document is not None else b""
            if document is not None:
                headers = {"Content-Type": "application/json; charset=utf-8", **headers}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _params(path: str, content_type: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
    if "json" in content_type and body:
        params.update(json.loads(body))
    elif body:
        with contextlib.suppress(UnicodeDecodeError):  # a file's bytes (files_upload_v2)
            params.update(urllib.parse.parse_qsl(body.decode()))
    return params


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


@contextmanager
def running_fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    server = _Server(fake)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def refused_url() -> str:
    """A loopback URL on a port nobody listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers for ``body``: HMAC-SHA256 of ``v0:{ts}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
