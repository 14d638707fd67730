"""Delivering the outbox from a command that is about to exit, within a bounded time."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from retrigger.config.models import SlackConfig
from retrigger.config.secrets import Secrets
from retrigger.notify.transport import ConsoleTransport, SlackTransport, Transport
from retrigger.notify.worker import Tally, Worker

if TYPE_CHECKING:
    from retrigger.workspace import Workspace

# Never spin faster than this while waiting for a Retry-After or another worker's lease.
_MIN_WAIT_S = 0.05


def slack_client(slack: SlackConfig, token: str | None) -> Any:
    """A ``WebClient`` on ``slack.api_url``; retries are the outbox worker's job, not the SDK's."""
    from slack_sdk import WebClient

    base = slack.api_url if slack.api_url.endswith("/") else slack.api_url + "/"
    return WebClient(token=token, base_url=base, timeout=10, retry_handlers=[])


def transport_for(slack: SlackConfig, secrets: Secrets) -> tuple[Transport, bool]:
    """Slack when ``SLACK_BOT_TOKEN`` is set, else the console; the flag says console."""
    if secrets.slack_bot_token:
        return SlackTransport(slack_client(slack, secrets.slack_bot_token)), False
    return ConsoleTransport(), True


def worker_for(workspace: Workspace, secrets: Secrets | None = None) -> Worker:
    transport, console = transport_for(workspace.config.slack, secrets or Secrets.from_env())
    return Worker(
        workspace.store, transport, workspace.clock, console=console, sleep=workspace.sleep
    )


def deliver_pending(
    workspace: Workspace,
    deadline_s: float = 10.0,
    *,
    secrets: Secrets | None = None,
    worker: Worker | None = None,
) -> Tally:
    """Deliver every due outbox message, waiting for retries that fall within ``deadline_s``.

    What is still pending at the deadline stays queued for the bot or the next command.
    """
    worker = worker or worker_for(workspace, secrets)
    end = time.monotonic() + max(deadline_s, 0.0)
    tally = Tally()
    while True:
        tally.add(worker.deliver_due())
        due = worker.next_due()
        if due is None:
            return tally
        wait = max((due - worker.clock()).total_seconds(), _MIN_WAIT_S)
        if time.monotonic() + wait > end:
            return tally
        time.sleep(wait)
