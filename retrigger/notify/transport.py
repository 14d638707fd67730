"""Where outbox messages go: Slack's Web API, or the console when no token is configured.

Every Slack failure is classified into one of three exceptions the worker acts on; their text
is an error code or a status, never a request (so never a token).
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from retrigger.notify.render import Rendered

# Errors that a retry cannot fix: the message goes to the dead letters (`retrigger status`).
PERMANENT_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "missing_scope",
        "no_permission",
        "invalid_blocks",
        "invalid_arguments",
        "msg_too_long",
        "no_text",
        "team_access_not_granted",
        "restricted_action",
        "cant_update_message",
        "message_not_found",
        "edit_window_closed",
    }
)


class DeliveryError(Exception):
    """Base of the three outcomes of a failed delivery."""


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited (Retry-After {retry_after:g}s)")
        self.retry_after = retry_after


class Transient(DeliveryError):
    """Try again later with backoff: 5xx, timeouts, refused connections."""


class Permanent(DeliveryError):
    """Never try again: bad token, unknown channel, ..."""


@dataclass(frozen=True)
class Posted:
    channel_id: str
    ts: str


class Transport(Protocol):
    def post(self, channel: str, message: Rendered, thread_ts: str | None) -> Posted: ...

    def upload(self, channel: str, path: str, title: str, thread_ts: str | None) -> Posted: ...

    def update(self, channel_id: str, ts: str, message: Rendered) -> None: ...


class SlackTransport:
    """Slack's Web API through a ``slack_sdk.WebClient`` (its ``base_url`` is ``slack.api_url``)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def post(self, channel: str, message: Rendered, thread_ts: str | None) -> Posted:
        response = self._call(
            "chat_postMessage",
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            reply_broadcast=bool(thread_ts and message.broadcast) or None,
        )
        return Posted(
            channel_id=str(response.get("channel") or channel), ts=str(response.get("ts"))
        )

    def update(self, channel_id: str, ts: str, message: Rendered) -> None:
        self._call(
            "chat_update", channel=channel_id, ts=ts, text=message.text, blocks=message.blocks
        )

    def upload(self, channel: str, path: str, title: str, thread_ts: str | None) -> Posted:
        """``files_upload_v2`` (get an upload URL, send the bytes, complete into the channel).
        ``channel`` must be an id: the worker passes the one Slack answered for the thread."""
        try:
            data = Path(path).read_bytes()
        except OSError:
            raise Permanent(f"file to upload is gone: {Path(path).name}") from None
        response = self._call(
            "files_upload_v2",
            channel=channel,
            file=data,
            filename=Path(path).name,
            title=title,
            thread_ts=thread_ts,
        )
        files = response.get("files") or [{}]
        return Posted(channel_id=channel, ts=str(files[0].get("id") or ""))

    def _call(self, method: str, **kwargs: Any) -> Any:
        from slack_sdk.errors import SlackApiError, SlackRequestError

        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            raise classify(
                exc.response.status_code, exc.response.headers, exc.response.data
            ) from None
        except (SlackRequestError, OSError, TimeoutError) as exc:
            raise Transient(f"connection failed ({type(exc).__name__})") from None


def classify(status: int, headers: Any, data: Any) -> DeliveryError:
    """Map one Web API answer that was not ok to what the worker does about it."""
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    if status == 429 or error == "ratelimited":
        return RateLimited(_retry_after(headers))
    if status >= 500 or error in {
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    }:
        return Transient(f"HTTP {status} {error}".strip())
    if error in PERMANENT_ERRORS or 400 <= status < 500:
        return Permanent(error or f"HTTP {status}")
    return Transient(error or f"HTTP {status}")


RETRY_AFTER_CAP_S = 15 * 60.0


def _retry_after(headers: Any) -> float:
    values = {str(k).lower(): v for k, v in (headers or {}).items()}
    raw = values.get("retry-after")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        # Capped: a proxy's or a confused server's "come back tomorrow" must not stall a channel.
        return min(RETRY_AFTER_CAP_S, max(0.0, float(raw))) if raw is not None else 1.0
    except ValueError:
        return 1.0


class ConsoleTransport:
    """No token configured: print each message (stderr, so ``--json`` stdout stays clean)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._ids = itertools.count(1)

    def post(self, channel: str, message: Rendered, thread_ts: str | None) -> Posted:
        indent = "  ↳ " if thread_ts else ""
        print(f"[{channel}] {indent}{message.text}", file=self.stream or sys.stderr)
        return Posted(channel_id=channel, ts=f"console-{next(self._ids)}")

    def update(self, channel_id: str, ts: str, message: Rendered) -> None:
        return None  # the console has no message to edit; the thread reply says it all

    def upload(self, channel: str, path: str, title: str, thread_ts: str | None) -> Posted:
        print(f"[{channel}]   ↳ {title}: {path}", file=self.stream or sys.stderr)
        return Posted(channel_id=channel, ts=f"console-{next(self._ids)}")
