"""``retrigger backtest --slack``: one message in ``slack.channel``, the report files in its thread.

Posted directly through the notifier's ``WebClient``, not through the outbox: a backtest stores
nothing (it never opens the state store), there is no decision whose thread the files belong
under, and a post that failed is nothing to retry later that the user cannot rerun; so a failure
is reported at once and the report stays on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrigger.config.models import SlackConfig
from retrigger.config.secrets import Secrets
from retrigger.errors import BadInput
from retrigger.units import format as fmt

if TYPE_CHECKING:
    from retrigger.backtest.replay import Replay

__all__ = ["Posted", "SlackPostFailed", "counts_in_words", "post", "require_token"]


class SlackPostFailed(Exception):
    """Slack could not be reached or refused the call; ``str()`` is the one-line reason."""


@dataclass(frozen=True)
class Posted:
    channel_id: str
    ts: str  # the message the files were uploaded under
    files: tuple[str, ...]  # the uploaded file names


def require_token(secrets: Secrets) -> str:
    """Checked before the replay runs, so a missing token costs no replay."""
    if not secrets.slack_bot_token:
        raise BadInput("--slack needs SLACK_BOT_TOKEN in the environment (a bot token, xoxb-…)")
    return secrets.slack_bot_token


def counts_in_words(replay: Replay) -> str:
    """``4 replayed retrains; held back 2 times (1 by cooldown, …); quiet at 3 commits; …``."""
    held = replay.held
    held_words = "never held back"
    if held:
        by = ", ".join(f"{n} by {kind.replace('-', ' ')}" for kind, n in held.items())
        held_words = f"held back {_plural(sum(held.values()), 'time')} ({by})"
    return (
        f"{_plural(replay.retrains, 'replayed retrain')}; {held_words}; "
        f"quiet at {_plural(replay.quiet, 'commit')}; "
        f"{_plural(len(replay.real), 'real retrain')} in the same period"
    )


def replayed_range(replay: Replay) -> str:
    """What was replayed: the model, how many commits, from which to which."""
    model = replay.config.model.name
    if not replay.results:
        return f"Backtest of `{model}`: no commit replayed"
    first, last = replay.results[0].point.commit, replay.results[-1].point.commit
    return (
        f"Backtest of `{model}`: {_plural(len(replay.results), 'commit')} replayed, "
        f"{fmt.timestamp(first.time)} `{first.sha[:8]}` → {fmt.timestamp(last.time)} "
        f"`{last.sha[:8]}`"
    )


def post(
    slack: SlackConfig, token: str, text: str, files: Sequence[Path], client: Any = None
) -> Posted:
    """The message, then every file in one ``files_upload_v2`` into its thread."""
    from slack_sdk.errors import SlackApiError, SlackRequestError

    from retrigger.notify.delivery import slack_client

    client = client or slack_client(slack, token)
    try:
        answer = client.chat_postMessage(channel=slack.channel, text=text, unfurl_links=False)
    except SlackApiError as exc:
        raise SlackPostFailed(f"Slack refused the message: {_error(exc)}") from None
    except (SlackRequestError, OSError, TimeoutError) as exc:
        raise SlackPostFailed(f"Slack unreachable at {slack.api_url} ({_reason(exc)})") from None
    # files_upload_v2 wants the channel's id, which chat.postMessage answers with.
    channel_id, ts = str(answer.get("channel") or slack.channel), str(answer.get("ts"))
    if files:
        uploads = [
            {"file": str(f), "filename": f.name, "title": f"backtest report ({f.name})"}
            for f in files
        ]
        try:
            client.files_upload_v2(file_uploads=uploads, channel=channel_id, thread_ts=ts)
        except SlackApiError as exc:
            raise SlackPostFailed(
                f"message posted, but Slack refused the upload: {_error(exc)}"
            ) from None
        except (SlackRequestError, OSError, TimeoutError) as exc:
            raise SlackPostFailed(
                f"message posted, but the upload failed ({_reason(exc)})"
            ) from None
    return Posted(channel_id, ts, tuple(f.name for f in files))


def _error(exc: Any) -> str:
    data = exc.response.data
    error = data.get("error") if isinstance(data, dict) else None
    return str(error or f"HTTP {exc.response.status_code}")


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)  # urllib's URLError: "[Errno 111] Connection refused"
    return str(reason) if reason is not None else type(exc).__name__


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
