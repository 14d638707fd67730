"""Serving the bot: gunicorn (gthread workers) over bolt's WSGI adapter, or Socket Mode.

The runtime (engine, worker, background loop) is built inside each gunicorn worker, after the
fork, so its threads and database connections belong to the process that uses them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from retrigger.bot.app import build_app
from retrigger.bot.events import events_parts
from retrigger.bot.wsgi import Front
from retrigger.config.secrets import Secrets
from retrigger.slack.runtime import Runtime
from retrigger.workspace import Workspace

SWITCH_INTERVAL_S = 0.0005  # `retrigger serve`'s workers (Python's default: 0.005)


def wsgi_app(workspace: Workspace, secrets: Secrets) -> tuple[Front, Runtime]:
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    runtime = Runtime(workspace, secrets)
    handler = SlackRequestHandler(build_app(runtime, secrets))
    runtime.start()
    route, loop = events_parts(workspace, secrets, runtime.engine.store)
    loop.start()
    return Front(handler, secrets.slack_signing_secret or "", events=route), runtime


def events_only_app(workspace: Workspace, secrets: Secrets) -> Front:
    """``retrigger serve``: /healthz and /events/<source>, no Slack."""
    import sys

    from retrigger.store.serial import SerialStore

    # The worker's threads each hold the GIL for short stretches between socket and SQLite
    # calls; at Python's default 5 ms a thread back from one (the one holding the store's
    # queue, say) could wait that long for the GIL per call. Switching sooner cut the answer's
    # p50 by about a third and its p99 by about a quarter in side-by-side runs (docs/events.md).
    sys.setswitchinterval(SWITCH_INTERVAL_S)

    route, loop = events_parts(workspace, secrets, SerialStore(workspace.store, "NORMAL"))
    loop.start()
    return Front(None, "", events=route)


def serve_http(load: Callable[[], Front], host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 60,
                "graceful_timeout": 10,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "info",
                # gunicorn ≥ 24 opens a control socket under $HOME; the bot needs none.
                "control_socket_disable": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return load()

    _Server().run()


def serve_socket_mode(workspace: Workspace, secrets: Secrets) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    runtime = Runtime(workspace, secrets)
    handler = SocketModeHandler(
        build_app(runtime, secrets), app_token=secrets.slack_app_token, web_client=runtime.client
    )
    runtime.start()
    try:
        handler.start()  # type: ignore[no-untyped-call]
    finally:
        runtime.stop()
