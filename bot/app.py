"""The slack-bolt app: listeners parse the request, call the engine (which commits), ack.

Listeners run in the request's thread (``process_before_response=True``) and do nothing slow:
the engine commits the state change, ``ack()`` answers, and everything else — the ephemeral
reply to a click, deliveries, executors — is handed to the runtime's threads. (With
``process_before_response=False`` bolt polls for the ack every 10 ms on a 5-thread pool, which
under a burst of clicks costs more than all our work.) A listener never lets an exception
through before its ack, so a failure is an ephemeral line, not a 500.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from retrigger.bot import shape
from retrigger.config.secrets import Secrets
from retrigger.errors import RetriggerError
from retrigger.notify.render import APPROVE_ACTION, REJECT_ACTION
from retrigger.slack.runtime import Runtime

log = logging.getLogger(__name__)
_APPROVAL_ID = re.compile(r"^a-\d{8}T\d{6}-[0-9a-f]{6}$")
FAILED = "retrigger could not do that right now; try again or see the bot's log"


def build_app(runtime: Runtime, secrets: Secrets) -> Any:
    from slack_bolt import App

    app = App(
        # Our own authorize, not bolt's token path: that one calls `auth.test` lazily in front
        # of the first request, and a Slack that is away (refused, 429, invalid_auth) turned a
        # signed request into a 500 or "installation no longer available". The signing
        # secret vouches for a request; the token is only needed to talk back, later.
        authorize=_authorize(secrets.slack_bot_token),
        signing_secret="",
        client=runtime.client,
        process_before_response=True,
        # HTTP requests are verified by retrigger.bot.wsgi before bolt sees them (with a
        # non-numeric timestamp bolt's own check would raise); Socket Mode needs none.
        request_verification_enabled=False,
        token_verification_enabled=False,
        ignoring_self_events_enabled=False,
        url_verification_enabled=True,
    )
    app.middleware(_readable)
    app.middleware(_allow_list(runtime))
    app.command("/retrain")(_retrain(runtime))
    app.action(APPROVE_ACTION)(_click(runtime, approve=True))
    app.action(REJECT_ACTION)(_click(runtime, approve=False))
    return app


def _authorize(token: str | None) -> Any:
    from slack_bolt.authorization import AuthorizeResult

    def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token
        )

    return authorize


def _readable(req: Any, body: dict[str, Any], next: Any) -> Any:
    """Over Socket Mode nothing checked the shape before bolt (bot.wsgi does it for HTTP)."""
    from slack_bolt import BoltResponse

    why = shape.problem(body)
    if why is None:
        return next()
    log.warning("refused a request that cannot be read: %s", why)
    return BoltResponse(status=200 if req.mode == "socket_mode" else 400, body="")


def _allow_list(runtime: Runtime) -> Any:
    """Refuse payloads from another workspace (team_id) or for another app (api_app_id)."""
    from slack_bolt import BoltResponse

    slack = runtime.workspace.config.slack

    def allow_list(req: Any, body: dict[str, Any], next: Any) -> Any:
        team = body.get("team_id") or (body.get("team") or {}).get("id")
        if (slack.team_id and team != slack.team_id) or (
            slack.api_app_id and body.get("api_app_id") != slack.api_app_id
        ):
            log.warning("refused a payload from team %r app %r", team, body.get("api_app_id"))
            # Over Socket Mode an empty ack stops redelivery; over HTTP a plain 403.
            return BoltResponse(status=200 if req.mode == "socket_mode" else 403, body="")
        return next()

    return allow_list


def _retrain(runtime: Runtime) -> Any:
    def retrain(ack: Any, body: dict[str, Any]) -> None:
        try:
            text = runtime.engine.command(
                str(body.get("user_id") or ""), str(body.get("text") or ""), body.get("trigger_id")
            )
        except RetriggerError as exc:
            text = f"retrigger: {exc}"
        except Exception:
            log.exception("/retrain failed")
            text = FAILED
        ack(text=text, response_type="ephemeral")
        runtime.wake()

    return retrain


def _click(runtime: Runtime, approve: bool) -> Any:
    def click(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        # Everything read from the request is read before the state changes (bot.shape has
        # checked the types), so a stored decision is always answered 200.
        user = str((body.get("user") or {}).get("id") or "")
        approval_id = str(action.get("value") or "")
        channel = str((body.get("channel") or {}).get("id") or "")
        if not _APPROVAL_ID.match(approval_id) or not user:
            ack()
            return
        try:
            message = runtime.engine.click(user, approval_id, approve).message
        except RetriggerError as exc:
            message = f"retrigger: {exc}"
        except Exception:
            log.exception("approval click failed")
            message = FAILED
        ack()
        runtime.wake()
        if channel:
            runtime.later(runtime.ephemeral, channel, user, message)

    return click
