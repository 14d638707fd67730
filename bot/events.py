"""``POST /events/<source>``: read the body (1 MB at most), hand it to the engine's intake,
answer. Never a 500: a store that fails is a 503, which every sender retries."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from retrigger.bot.wsgi import StartResponse, read_body, respond
from retrigger.config.secrets import Secrets
from retrigger.events.intake import Intake
from retrigger.events.settle import SettleLoop, acting, check_process
from retrigger.store.serial import Transactional
from retrigger.workspace import Workspace

log = logging.getLogger(__name__)


class EventsRoute:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        source = str(environ.get("PATH_INFO", ""))[len("/events/") :]
        if environ.get("REQUEST_METHOD") != "POST":
            return respond(start, 405, {"error": "POST only"})
        body = read_body(environ)
        if body is None:
            return respond(start, 413, {"error": "body over 1 MB"})
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        query = dict(parse_qsl(str(environ.get("QUERY_STRING", ""))))
        try:
            answer = self.intake.receive(source, headers, body, query)
        except Exception:
            log.exception("could not store an event for /events/%s", source[:40])
            return respond(start, 503, {"error": "could not store the event; retry later"})
        return respond(start, answer.status, answer.document)


def events_parts(
    workspace: Workspace, secrets: Secrets, store: Transactional
) -> tuple[EventsRoute, SettleLoop]:
    """The route and the loop that runs its checks (started by the caller, after the fork)."""
    root, path = workspace.root, workspace.loaded.path
    act = acting(workspace.config, secrets, root, path)
    config = workspace.config
    check = check_process(root, path, act)
    loop = SettleLoop(store, workspace.clock, check, config.events.remember)
    champion = (config.model.name, config.pipeline.champion_alias)
    intake = Intake(store, config.events, secrets, workspace.clock, loop.wake, champion)
    return EventsRoute(intake), loop
