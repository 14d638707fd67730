"""``retrigger serve``: the events endpoint (and /healthz) without Slack, through gunicorn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrigger.bot.wsgi import Front


def serve(config: Path | None, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped; the config and the store are checked before gunicorn starts."""
    import logging

    from retrigger.config.secrets import Secrets
    from retrigger.workspace import Workspace

    # What arrived and what it started is the operator's view of this server: log it at INFO,
    # beside gunicorn's own lines on stderr (workers inherit the handler).
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] [%(process)d] %(message)s")
    secrets = Secrets.from_env()
    workspace = Workspace.load(config)
    workspace.store.close()  # fail now if the store is unreachable; workers open their own
    from retrigger.bot.server import events_only_app, serve_http

    path = workspace.loaded.path

    def load() -> Front:
        return events_only_app(Workspace.load(path), secrets)

    serve_http(load, host, port, workers, threads)
