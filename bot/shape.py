"""What a verified Slack request must look like before bolt or the engine sees it.

A signed request can still be malformed (a bug in a proxy, a hand-made replay, a leaked
secret): it must get a 400 and change nothing, never a 500 from deep inside bolt or after a
stored change. So the body is parsed here the way bolt parses it, and refused unless it is one
of the shapes retrigger answers — a slash command, a button click, Slack's URL or SSL check —
with every field bolt or our listeners read present and of the right type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["parse", "problem"]

# Fields bolt reads while building its context; each must be an object when present.
_OBJECTS = ("team", "user", "channel", "container", "enterprise", "view", "message", "event")


def parse(body: bytes, content_type: str) -> tuple[dict[str, Any] | None, str | None]:
    """The body as bolt will see it, or why it cannot be read."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, "body is not UTF-8"
    try:
        if content_type.split(";")[0].strip() == "application/json" or text.startswith("{"):
            document: Any = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            document = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, RecursionError):
        return None, "body or payload is not valid JSON"
    if not isinstance(document, dict):
        return None, "payload is not a JSON object"
    return document, None


def problem(payload: Mapping[str, Any]) -> str | None:
    """Why retrigger cannot act on this (already parsed) request, or None."""
    if "command" in payload:
        return _slash_problem(payload)
    if "ssl_check" in payload or payload.get("type") == "url_verification":
        return None if _text(payload.get("challenge", "")) else "challenge is not text"
    for key in _OBJECTS:
        if payload.get(key) is not None and not isinstance(payload[key], dict):
            return f"{key} is not an object"
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list of objects"
    if payload.get("type") == "block_actions":
        return _click_problem(payload)
    return f"retrigger does not handle {str(payload.get('type'))[:40]!r} requests"


def _slash_problem(payload: Mapping[str, Any]) -> str | None:
    for key in ("command", "text", "user_id", "team_id", "trigger_id", "api_app_id"):
        if not _text(payload.get(key, "")):
            return f"{key} is not text"
    if not payload.get("user_id"):
        return "no user id"
    return None


def _click_problem(payload: Mapping[str, Any]) -> str | None:
    user = payload.get("user") or {}
    if not _text(user.get("id")) or not user.get("id"):
        return "no user id"
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions:
        return "no actions"
    for action in actions:
        if not isinstance(action, dict) or not _text(action.get("action_id")):
            return "an action without an action_id"
        if not _text(action.get("value", "")) or not _text(action.get("block_id", "")):
            return "an action value is not text"
    channel = payload.get("channel") or {}
    if not _text(channel.get("id", "")):
        return "channel id is not text"
    return None


def _text(value: object) -> bool:
    return isinstance(value, str)
