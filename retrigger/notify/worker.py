"""The outbox worker: deliver due messages, in order per channel, exactly one worker per row.

A row is claimed with a lease (a conditional UPDATE), delivered outside any transaction, then
settled. A channel whose oldest message must wait (429 ``Retry-After``, backoff after a 5xx or a
refused connection) waits alone: the worker moves on to other channels and never sleeps on
one. A permanent error (``invalid_auth``, ``channel_not_found``...) moves the row to ``dead``.
Messages about one decision share a thread: the first one delivered starts it, and is redrawn
(``chat.update``) when its approval is settled or the decision ends. A backlog (after
an outage) goes out at Slack's pace: consecutive sends to one channel are ``PACE`` apart.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from retrigger.notify.closing import render_closed
from retrigger.notify.render import render
from retrigger.notify.transport import Permanent, RateLimited, Transient, Transport
from retrigger.store import outbox
from retrigger.store.serial import Transactional

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
BACKOFF_FIRST = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=10)
# Slack's chat.postMessage allows 1 message per second per channel (its documented rate limit,
# docs.slack.dev/reference/methods/chat.postMessage#rate-limiting); faster earns 429s.
PACE = timedelta(seconds=1)


@dataclass
class Tally:
    delivered: int = 0
    retried: int = 0
    dead: int = 0

    def add(self, other: Tally) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s ... capped at 10 min: a downstream that is down delays, never loses."""
    grown: timedelta = BACKOFF_FIRST * (2 ** min(max(attempts - 1, 0), 20))
    return min(grown, BACKOFF_CAP)


class Worker:
    def __init__(
        self,
        store: Transactional,
        transport: Transport,
        clock: Callable[[], datetime],
        *,
        console: bool = False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.console = console
        self.sleep = sleep
        self._last_send: dict[str, datetime] = {}

    def deliver_due(self, limit: int = 200) -> Tally:
        """One pass over every channel: deliver what is due, oldest first per channel."""
        tally = Tally()
        with self.store.transaction() as conn:
            channels = outbox.pending_channels(conn)
        for channel in channels:
            while tally.delivered + tally.retried + tally.dead < limit:
                row = self._claim_head(channel)
                if row is None or not self._deliver(row, tally):
                    break
        return tally

    def next_due(self) -> datetime | None:
        """When the earliest channel head may be tried; later rows wait behind their head."""
        with self.store.transaction() as conn:
            return outbox.next_due(conn)

    def _claim_head(self, channel: str) -> dict[str, Any] | None:
        now = self.clock()
        with self.store.transaction() as conn:
            head = outbox.claim_head(conn, channel, now, now + LEASE)
            if head is None:
                return None
            return {**head, "thread": outbox.thread_of(conn, head)}

    def _deliver(self, row: dict[str, Any], tally: Tally) -> bool:
        """Deliver one claimed row; true when the channel may go on to its next message."""
        self._pace(row["channel"])
        try:
            posted = self._send(row)
        except RateLimited as exc:
            self._settle(row, retry_in=timedelta(seconds=exc.retry_after), error=str(exc))
            tally.retried += 1
            return False
        except Transient as exc:
            self._settle(row, retry_in=backoff(row["attempts"] + 1), error=str(exc))
            tally.retried += 1
            return False
        except Permanent as exc:
            self._settle(row, dead=True, error=str(exc))
            tally.dead += 1
            return True
        except Exception as exc:  # a surprise must not strand a claimed row: retry it later
            log.exception("delivering outbox message %s failed", row["id"])
            self._settle(row, retry_in=backoff(row["attempts"] + 1), error=type(exc).__name__)
            tally.retried += 1
            return False
        self._settle(row, ref=posted)
        tally.delivered += 1
        return True

    def _pace(self, channel: str) -> None:
        """Wait until ``PACE`` has passed since this worker last sent to ``channel``."""
        if self.console:
            return
        last = self._last_send.get(channel)
        if last is not None:
            wait = (last + PACE - self.clock()).total_seconds()
            if wait > 0:
                self.sleep(wait)
        self._last_send[channel] = self.clock()

    def _send(self, row: dict[str, Any]) -> tuple[str, str]:
        payload = dict(row["payload"] or {})
        thread = row["thread"] or {}
        first = thread.get("first")
        thread_ts = first["delivered_ref"] if first and self._sendable(first) else None
        edited = self._to_edit(row["kind"], thread)
        if edited is not None:
            # A message gone or too old to edit is no reason to drop the reply.
            with contextlib.suppress(Permanent):
                self.transport.update(
                    edited["delivered_channel"],
                    edited["delivered_ref"],
                    render_closed(
                        str(edited["kind"]),
                        dict(edited["payload"] or {}),
                        row["kind"],
                        payload,
                        slack=not self.console,
                    ),
                )
        if row["kind"] == outbox.FILE_UPLOAD:
            # Into the thread of the decision, in the channel Slack named (an id, not #name).
            channel = first["delivered_channel"] if thread_ts and first else row["channel"]
            posted = self.transport.upload(
                channel, str(payload.get("path")), str(payload.get("title") or "chart"), thread_ts
            )
            return posted.channel_id, posted.ts
        posted = self.transport.post(
            row["channel"], render(row["kind"], payload, slack=not self.console), thread_ts
        )
        return posted.channel_id, posted.ts

    def _to_edit(self, kind: str, thread: dict[str, Any]) -> dict[str, Any] | None:
        """The message an outcome redraws: the approval request when its approval is settled,
        the decision's first message (its alert) when the decision ends; None otherwise."""
        if kind in outbox.REPLACES_REQUEST:
            found = thread.get("request")
        elif kind in outbox.CLOSES_DECISION:
            found = thread.get("first")
        else:
            return None
        return found if found and self._sendable(found) else None

    def _sendable(self, ref: dict[str, Any]) -> bool:
        # A message printed on the console has no Slack ts to thread under or edit.
        value = str(ref.get("delivered_ref") or "")
        return bool(value) and (self.console or not value.startswith("console-"))

    def _settle(
        self,
        row: dict[str, Any],
        *,
        ref: tuple[str, str] | None = None,
        retry_in: timedelta | None = None,
        dead: bool = False,
        error: str | None = None,
    ) -> None:
        now = self.clock()
        with self.store.transaction() as conn:
            outbox.settle(
                conn,
                row["id"],
                attempts=row["attempts"] + 1,
                error=error,
                now=now,
                ref=ref,
                dead=dead,
                retry_at=now + (retry_in or BACKOFF_FIRST),
            )
