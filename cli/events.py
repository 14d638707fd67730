"""``retrigger events pull --sqs URL``: data-arrival events from a queue, without a server."""

from __future__ import annotations

from typing import Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

events_app = typer.Typer(
    help="Data-arrival events that need no inbound port.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")


@events_app.command("pull")
def pull(
    sqs: Annotated[
        str,
        typer.Option(
            "--sqs",
            help="The SQS queue URL S3 sends its notifications to (boto3: pip install "
            "'retrigger[aws]'; credentials and AWS_ENDPOINT_URL_SQS as boto3 reads them).",
        ),
    ],
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="Drain the queue, run the checks already due, and exit (for cron)."
        ),
    ] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Read S3 notifications from SQS: each opens or extends the settle window of its
    `events.watch` prefix (source s3); a closed window runs `retrigger check` once. A message
    is deleted only after it is stored; s3:TestEvent is deleted and ignored."""
    from retrigger.commands.events import pull as engine_pull

    done = engine_pull(config, sqs, once)
    if json_output:
        render.print_json(done.as_json())
    else:
        render.line(
            f"{done.received} message(s): {done.stored} stored, {done.ignored} ignored, "
            f"{done.refused} left in the queue (not an S3 event)"
        )
