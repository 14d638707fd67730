"""The running bot's parts, built once from a workspace and the environment's secrets: the
Slack client, the engine, the outbox worker, and the background loop that keeps delivering,
expiring and dispatching while the front door only parses and acks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from retrigger.approvals.approvers import Approvers, slack_group_members
from retrigger.approvals.flow import current_snapshot
from retrigger.config.secrets import Secrets
from retrigger.errors import ConfigError
from retrigger.notify.delivery import slack_client
from retrigger.notify.transport import SlackTransport
from retrigger.notify.worker import Worker
from retrigger.slack.engine import BotEngine
from retrigger.slack.executors import Executor, GithubExecutor, LocalExecutor, NoExecutor
from retrigger.slack.snapshots import SnapshotCache
from retrigger.store.serial import SerialStore
from retrigger.workspace import Workspace

log = logging.getLogger(__name__)
LOOP_INTERVAL_S = 5.0
QUIET_S = 0.1
MAX_DEFER_S = 1.0


def require_secrets(secrets: Secrets, socket_mode: bool) -> None:
    """Refuse to start without what the chosen mode needs (names only, never values)."""
    if not secrets.slack_bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set; export the bot token (xoxb-...) before `retrigger bot`"
        )
    if socket_mode and not secrets.slack_app_token:
        raise ConfigError(
            "--socket-mode needs SLACK_APP_TOKEN (an xapp-... app-level token "
            "with connections:write)"
        )
    if not socket_mode and not secrets.slack_signing_secret:
        raise ConfigError(
            "HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → Signing "
            "Secret) to verify requests; export it or use --socket-mode"
        )


def make_executor(workspace: Workspace, secrets: Secrets) -> Executor:
    slack = workspace.config.slack
    if slack.executor == "local":
        return LocalExecutor((workspace.root / slack.workdir).resolve(), workspace.loaded.path)
    if slack.executor == "github" and slack.github is not None:
        return GithubExecutor(slack.github, secrets.github_token)
    return NoExecutor()


class Runtime:
    def __init__(
        self, workspace: Workspace, secrets: Secrets, interval_s: float = LOOP_INTERVAL_S
    ) -> None:
        slack = workspace.config.slack
        self.workspace = workspace
        self.client: Any = slack_client(slack, secrets.slack_bot_token)
        approvers = Approvers(
            slack.approvers, slack_group_members(self.client), slack.group_cache, workspace.clock
        )
        serial = SerialStore(workspace.store)
        self.snapshots = SnapshotCache(lambda: current_snapshot(workspace), on_old=self.wake)
        self.engine = BotEngine(
            workspace,
            approvers,
            make_executor(workspace, secrets),
            store=serial,
            request_snapshot=self.snapshots,
        )
        self.worker = Worker(
            serial, SlackTransport(self.client), workspace.clock, sleep=workspace.sleep
        )
        self.interval_s = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._after = ThreadPoolExecutor(max_workers=4, thread_name_prefix="retrigger-after")

    def start(self) -> None:
        if self._thread is None:
            self.snapshots.refresh()  # the first /retrain must not wait on git either
            self._thread = threading.Thread(
                target=self._loop, name="retrigger-bot-loop", daemon=True
            )
            self._thread.start()

    def later(self, work: Callable[..., object], *args: object) -> None:
        """Run ``work`` after the ack, off the request's thread."""
        self._after.submit(work, *args)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._after.shutdown(wait=False)
        self.engine.close()

    def ephemeral(self, channel: str, user: str, text: str) -> None:
        """A message only ``user`` sees; best effort (it is not state, the outbox has that)."""
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except Exception as exc:  # never let a lost courtesy message break a listener
            log.warning("could not post an ephemeral message: %s", type(exc).__name__)

    def _settle(self) -> None:
        """Let a burst of requests finish before delivering: their acks wait on the same
        write lock, so deliveries go in the first quiet moment (at most MAX_DEFER_S late)."""
        deadline = time.monotonic() + MAX_DEFER_S
        while self._wake.wait(QUIET_S) and time.monotonic() < deadline:
            self._wake.clear()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self._settle()
            try:
                self.snapshots.refresh_if_old()
                self.workspace.replay_spool()  # arrivals a hook kept while the store was busy
                self.engine.dispatch_due()
                self.worker.deliver_due()
                due = self.worker.next_due()
            except Exception:  # a store hiccup must not end the loop; retry next round
                log.exception("bot loop round failed")
                due = None
            wait = self.interval_s
            if due is not None:
                wait = min(wait, max((due - self.workspace.clock()).total_seconds(), 0.05))
            self._wake.wait(wait)
