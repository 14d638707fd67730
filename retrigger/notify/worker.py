"""The outbox worker: deliver due messages, in order per channel, exactly one worker per row.

A row is claimed with a lease (a conditional UPDATE), delivered outside any transaction, then
settled. A channel whose oldest message must wait (429 ``Retry-After``, backoff after a 5xx or a
refused connection) waits alone: the worker moves on to other channels and never sleeps on
one. A permanent error (``invalid_auth``, ``channel_not_found``...) moves the row to ``dead``.
Messages about one decision share a thread: the first one delivered starts it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select, update

from retrigger.notify.render import render, render_closed_request
from retrigger.notify.transport import Permanent, RateLimited, Transient, Transport
from retrigger.store import outbox
from retrigger.store.schema import outbox as table
from retrigger.store.serial import Transactional

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
BACKOFF_FIRST = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=10)


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
    def __init__(self, store: Transactional, transport: Transport, clock: Callable[[], datetime],
                 *, console: bool = False) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.console = console

    def deliver_due(self, limit: int = 200) -> Tally:
        """One pass over every channel: deliver what is due, oldest first per channel."""
        tally = Tally()
        with self.store.transaction() as conn:
            channels = [str(c) for c in conn.execute(
                select(table.c.channel).where(table.c.status == "pending").distinct()).scalars()]
        for channel in channels:
            while tally.delivered + tally.retried + tally.dead < limit:
                row = self._claim_head(channel)
                if row is None or not self._deliver(row, tally):
                    break
        return tally

    def next_due(self) -> datetime | None:
        """When the earliest channel head may be tried; later rows wait behind their head."""
        heads = (select(func.min(table.c.id)).where(table.c.status == "pending")
                 .group_by(table.c.channel).scalar_subquery())
        with self.store.transaction() as conn:
            found = conn.execute(select(func.min(table.c.next_attempt_at))
                                 .where(table.c.id.in_(heads))).scalar()
        return _aware(found) if found is not None else None

    def _claim_head(self, channel: str) -> dict[str, Any] | None:
        now = self.clock()
        with self.store.transaction() as conn:
            head = conn.execute(select(table).where(
                table.c.channel == channel, table.c.status == "pending")
                .order_by(table.c.id).limit(1)).mappings().first()
            if head is None or _aware(head["next_attempt_at"]) > now:
                return None
            claimed = conn.execute(update(table).where(
                table.c.id == head["id"], table.c.status == "pending",
                or_(table.c.claimed_until.is_(None), table.c.claimed_until <= now),
            ).values(claimed_until=now + LEASE)).rowcount == 1
            if not claimed:
                return None
            return {**dict(head), "thread": self._thread(conn, head)}

    def _thread(self, conn: Connection, row: Any) -> dict[str, Any] | None:
        if not row["thread_key"]:
            return None
        first = conn.execute(select(table.c.delivered_ref, table.c.delivered_channel).where(
            table.c.thread_key == row["thread_key"], table.c.channel == row["channel"],
            table.c.status == "delivered", table.c.id < row["id"]).order_by(table.c.id).limit(1)
        ).mappings().first()
        request = conn.execute(select(table.c.delivered_ref, table.c.delivered_channel).where(
            table.c.thread_key == row["thread_key"], table.c.channel == row["channel"],
            table.c.status == "delivered", table.c.kind == outbox.APPROVAL_REQUESTED)
            .order_by(table.c.id.desc()).limit(1)).mappings().first()
        return {"first": dict(first) if first else None,
                "request": dict(request) if request else None}

    def _deliver(self, row: dict[str, Any], tally: Tally) -> bool:
        """Deliver one claimed row; true when the channel may go on to its next message."""
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

    def _send(self, row: dict[str, Any]) -> tuple[str, str]:
        payload = dict(row["payload"] or {})
        thread = row["thread"] or {}
        first = thread.get("first")
        thread_ts = first["delivered_ref"] if first and self._sendable(first) else None
        request = thread.get("request")
        if row["kind"] in outbox.REPLACES_REQUEST and request and self._sendable(request):
            # A request message gone or too old to edit is no reason to drop the reply.
            with contextlib.suppress(Permanent):
                self.transport.update(request["delivered_channel"], request["delivered_ref"],
                                      render_closed_request(payload))
        posted = self.transport.post(row["channel"], render(row["kind"], payload,
                                                            slack=not self.console), thread_ts)
        return posted.channel_id, posted.ts

    def _sendable(self, ref: dict[str, Any]) -> bool:
        # A message printed on the console has no Slack ts to thread under or edit.
        value = str(ref.get("delivered_ref") or "")
        return bool(value) and (self.console or not value.startswith("console-"))

    def _settle(self, row: dict[str, Any], *, ref: tuple[str, str] | None = None,
                retry_in: timedelta | None = None, dead: bool = False,
                error: str | None = None) -> None:
        now = self.clock()
        values: dict[str, Any] = {"attempts": row["attempts"] + 1, "claimed_until": None,
                                  "last_error": error}
        if ref is not None:
            values.update(status="delivered", delivered_at=now, delivered_channel=ref[0],
                          delivered_ref=ref[1])
        elif dead:
            values.update(status="dead")
        else:
            values.update(next_attempt_at=now + (retry_in or BACKOFF_FIRST))
        with self.store.transaction() as conn:
            conn.execute(update(table).where(table.c.id == row["id"]).values(**values))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
