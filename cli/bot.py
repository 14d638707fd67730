"""``retrigger bot``: serve the Slack app (HTTP through gunicorn, or Socket Mode)."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli.options import ConfigOption


def register(app: typer.Typer) -> None:
    app.command("bot")(bot)


def bot(
    config: ConfigOption = None,
    port: Annotated[
        int, typer.Option(help="HTTP port (0: any free port).", min=0, max=65535)
    ] = 3000,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 for all.")] = (
        "127.0.0.1"
    ),
    socket_mode: Annotated[
        bool,
        typer.Option(
            "--socket-mode",
            help="Connect out to Slack over a WebSocket (SLACK_APP_TOKEN); no public URL needed.",
        ),
    ] = False,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.", min=1)] = 1,
    threads: Annotated[int, typer.Option(help="Threads per worker.", min=1)] = 16,
) -> None:
    """Serve /retrain and the Approve / Reject buttons, and keep delivering notifications.

    HTTP mode answers at /slack/events (and /healthz) and needs SLACK_SIGNING_SECRET and
    SLACK_BOT_TOKEN; Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN.
    """
    from retrigger.commands.bot import bot as command

    command(config, socket_mode, host, port, workers, threads)
