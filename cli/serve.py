"""``retrigger serve``: the signed events endpoint, without Slack."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli.options import ConfigOption


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    config: ConfigOption = None,
    port: Annotated[
        int, typer.Option(help="HTTP port (0: any free port).", min=0, max=65535)
    ] = 3000,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 for all.")] = (
        "127.0.0.1"
    ),
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.", min=1)] = 1,
    threads: Annotated[int, typer.Option(help="Threads per worker.", min=1)] = 16,
) -> None:
    """Serve POST /events/<source> (webhook, mlflow, s3, gcs, azure) and /healthz, without Slack.

    Secrets from the environment: RETRAIN_EVENTS_WEBHOOK_SECRET (whsec_...),
    RETRAIN_EVENTS_MLFLOW_SECRET, RETRAIN_EVENTS_S3_API_KEY, RETRAIN_EVENTS_AZURE_KEY; gcs
    checks Pub/Sub's token against events.gcs. An event for a prefix under `events.watch` runs
    `retrigger check` once its settle window closes (docs/events.md).
    """
    from retrigger.commands.serve import serve as command

    command(config, host, port, workers, threads)
