"""``retrigger bot``: check the secrets and the store, then serve the Slack app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrigger.bot.wsgi import Front


def bot(
    config: Path | None, socket_mode: bool, host: str, port: int, workers: int, threads: int
) -> None:
    """Serve until stopped: HTTP through gunicorn, or Socket Mode."""
    from retrigger.config.secrets import Secrets
    from retrigger.slack.runtime import require_secrets
    from retrigger.workspace import Workspace

    secrets = Secrets.from_env()
    require_secrets(secrets, socket_mode)
    workspace = Workspace.load(config)
    workspace.store.close()  # fail now if the store is unreachable; workers open their own
    if socket_mode:
        from retrigger.bot.server import serve_socket_mode

        serve_socket_mode(Workspace.load(workspace.loaded.path), secrets)
        return
    from retrigger.bot.server import serve_http, wsgi_app

    path = workspace.loaded.path

    def load() -> Front:
        front, _runtime = wsgi_app(Workspace.load(path), secrets)
        return front

    serve_http(load, host, port, workers, threads)
