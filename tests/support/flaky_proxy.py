"""A loopback HTTP proxy in front of a real server that loses answers: it forwards a request
to the server, lets the server commit it, then answers the client 504 — as a load balancer
whose upstream was slow does. Which paths, and how many times, is chosen per test."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FlakyProxy:
    upstream: str
    lose_answers: dict[str, int]  # path → how many answers to lose after forwarding
    forwarded: dict[str, int] = field(default_factory=dict)
    url: str = ""
    die_on: str | None = None  # a path prefix: at its first request the proxy stops listening
    died: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    def die(self) -> None:
        """Stop listening, as a server that crashed: later connections are refused."""
        if self.server is not None and not self.died.is_set():
            self.died.set()
            self.server.socket.close()


def _handler(proxy: FlakyProxy) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            if (proxy.die_on and self.path.startswith(proxy.die_on)) or proxy.died.is_set():
                proxy.die()
                self.close_connection = True
                self.connection.close()
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            request = urllib.request.Request(
                proxy.upstream + self.path, data=body, method=self.command
            )
            for key in ("Content-Type", "Authorization"):
                if self.headers.get(key):
                    request.add_header(key, self.headers[key])
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    status, payload, kind = answer.status, answer.read(), answer.headers
            except urllib.error.HTTPError as exc:
                status, payload, kind = exc.code, exc.read(), exc.headers
            path = self.path.split("?", 1)[0]
            with lock:
                proxy.forwarded[path] = proxy.forwarded.get(path, 0) + 1
                lose = proxy.lose_answers.get(path, 0) > 0
                if lose:
                    proxy.lose_answers[path] -= 1
            if lose:
                status, payload = 504, b"<html>upstream timed out</html>"
            self.send_response(status)
            self.send_header("Content-Type", kind.get("Content-Type", "text/html"))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Forward


@contextmanager
def flaky_proxy(
    upstream: str, lose_answers: dict[str, int] | None = None, die_on: str | None = None
) -> Iterator[FlakyProxy]:
    proxy = FlakyProxy(upstream=upstream, lose_answers=dict(lose_answers or {}), die_on=die_on)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    proxy.server = server
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
