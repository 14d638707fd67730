"""The HTTP front door: ``/healthz``, ``/slack/events`` (verified, then bolt), ``/events/<source>``
(``bot.events``, when events are served), nothing else.

Refusals are plain 4xx answers, never a 500, and nothing about them is stored: the signature
is checked, then the body's shape (``bot.shape``), before bolt or the engine sees anything.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from retrigger.bot import shape, verify

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Front:
    def __init__(
        self,
        bolt: WsgiApp | None,
        signing_secret: str,
        clock: Callable[[], float] = time.time,
        events: WsgiApp | None = None,
    ) -> None:
        self.bolt = bolt  # None: `retrigger serve`, events without Slack
        self.events = events
        self._secret = signing_secret
        self.clock = clock

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz":
            return respond(start, 200, {"ok": True})
        if self.events is not None and path.startswith("/events/"):
            return self.events(environ, start)
        if path != EVENTS_PATH or self.bolt is None:
            return respond(start, 404, {"error": "not found"})
        if method != "POST":
            return respond(start, 405, {"error": "POST only"})
        body = read_body(environ)
        if body is None:
            return respond(start, 413, {"error": "body over 1 MB"})
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        why = verify.problem(headers, body, self._secret, self.clock())
        if why is not None:
            log.warning("refused a request to %s: %s", path, why)
            return respond(start, 401, {"error": "invalid request"})
        payload, why = shape.parse(body, str(environ.get("CONTENT_TYPE", "")))
        why = why or shape.problem(payload or {})
        if why is not None:
            # Decided before bolt and the engine run: a malformed request changes nothing.
            log.warning("refused a signed request that cannot be read: %s", why)
            return respond(start, 400, {"error": f"could not read this request: {why}"})
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.bolt(environ, start)


def read_body(environ: dict[str, Any]) -> bytes | None:
    """The body, or None when it is over the limit (read no more than limit + 1 bytes)."""
    raw = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if raw:
        if not raw.isdigit() or int(raw) > verify.MAX_BODY:
            return None
        return bytes(stream.read(int(raw)))
    body = bytes(stream.read(verify.MAX_BODY + 1))
    return None if len(body) > verify.MAX_BODY else body


def respond(start: StartResponse, status: int, document: dict[str, Any]) -> list[bytes]:
    """Answer with DOCUMENT as JSON and STATUS (one of the few this bot sends)."""
    payload = json.dumps(document).encode()
    reason = {
        200: "OK",
        202: "Accepted",
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        413: "Payload Too Large",
        503: "Service Unavailable",
    }[status]
    start(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]
