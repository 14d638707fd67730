"""People named the way their team knows them: a Slack user id (``UALICE``) by its display name
(Slack's ``users.info``), the CLI's ``cli:<os user>`` by the git identity of this checkout.

Names are cached in ``.retrigger/people.json`` for a week: a retrain costs one ``users.info``
call per person at most, and none once cached. A name that cannot be learned (no token, Slack
down, an unknown id) leaves the id as it is — records keep the raw id in their own tag anyway.
"""

from __future__ import annotations

import getpass
import json
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from retrigger.proc import run

log = logging.getLogger(__name__)

CACHE = Path(".retrigger") / "people.json"
FRESH = timedelta(days=7)
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
CLI_PREFIX = "cli:"


def names(
    people: Iterable[str | None],
    root: Path,
    now: datetime,
    slack: Any | None = None,
) -> dict[str, str]:
    """Raw id → display name for each id a name was found for. ``slack`` is a
    ``slack_sdk.WebClient`` (None without a token: Slack ids stay ids)."""
    found: dict[str, str] = {}
    cache = _read(root / CACHE)
    changed = False
    for person in {p for p in people if p}:
        if person.startswith(CLI_PREFIX):
            name = _git_identity(root, person.removeprefix(CLI_PREFIX))
        elif _SLACK_USER.match(person):
            name = _cached(cache, person, now)
            if name is None and slack is not None:
                name = _users_info(slack, person)
                if name is not None:
                    cache[person] = {"name": name, "at": now.isoformat()}
                    changed = True
        else:
            name = None
        if name:
            found[person] = name
    if changed:
        _write(root / CACHE, cache)
    return found


def slack_client(api_url: str, token: str | None) -> Any | None:
    if not token:
        return None
    from slack_sdk import WebClient

    base = api_url if api_url.endswith("/") else api_url + "/"
    return WebClient(token=token, base_url=base, timeout=5, retry_handlers=[])


def _users_info(client: Any, user: str) -> str | None:
    try:
        response = client.users_info(user=user)
    except Exception as exc:  # SlackApiError, a refused connection: the id stays
        log.info("users.info %s: %s", user, str(exc).splitlines()[0][:120] if str(exc) else exc)
        return None
    info = response.get("user") or {}
    profile = info.get("profile") or {}
    for key in ("display_name", "real_name"):
        if profile.get(key):
            return str(profile[key])
    return str(info.get("real_name") or info.get("name") or "") or None


def _git_identity(root: Path, os_user: str) -> str | None:
    """The git identity of this checkout, for the OS user running here (someone else's
    ``cli:`` login says nothing about who they are in git)."""
    try:
        if os_user != getpass.getuser():
            return None
    except (KeyError, OSError):
        return None
    name = run(["git", "config", "user.name"], root, check=False).stdout.strip()
    email = run(["git", "config", "user.email"], root, check=False).stdout.strip()
    if name and email:
        return f"{name} <{email}>"
    return name or email or None


def _cached(cache: dict[str, Any], person: str, now: datetime) -> str | None:
    entry = cache.get(person)
    if not isinstance(entry, dict) or not entry.get("name"):
        return None
    try:
        return (
            str(entry["name"]) if now - datetime.fromisoformat(str(entry["at"])) < FRESH else None
        )
    except (ValueError, TypeError, KeyError):  # unreadable, or naive against aware
        return None


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, cache: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(cache, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:  # a read-only checkout: next time asks Slack again
        log.info("could not cache display names in %s: %s", path, exc)
