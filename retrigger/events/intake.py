"""One inbound event, from bytes to stored state: verify, parse, remember, open the window.

Nothing is parsed before the signature is verified, and nothing is stored for a refused
request. A delivery id already handled (a sender's retry, a replay inside the timestamp
window) is answered 200 and changes nothing. The answer never waits for the check: the
window is stored, ``on_stored`` wakes the loop that runs checks, and the sender has its 202.
"""

from __future__ import annotations

import hashlib
import json
import logging
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from retrigger.config.models import EventsConfig
from retrigger.config.secrets import Secrets
from retrigger.events import mlflow
from retrigger.events.model import (
    NotTheShape,
    ObjectCreated,
    Parsed,
    RegistryChange,
    Unavailable,
)
from retrigger.events.senders import Request, senders
from retrigger.store import Connection, audit, inbound, settle
from retrigger.store.serial import Transactional

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    status: int
    document: dict[str, Any] = field(default_factory=dict)


class Intake:
    def __init__(
        self,
        store: Transactional,
        config: EventsConfig,
        secrets: Secrets,
        clock: Callable[[], datetime],
        on_stored: Callable[[datetime], None] = lambda _due: None,
        champion: tuple[str, str] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        # (model.name, pipeline.champion_alias): whose alias moves the baseline follows.
        self.champion = champion
        self.senders = senders(secrets, config)
        self.clock = clock
        self.on_stored = on_stored

    def receive(
        self,
        source: str,
        headers: Mapping[str, str],
        body: bytes,
        query: Mapping[str, str] | None = None,
    ) -> Answer:
        """The answer to one request; raises only when the store fails (the caller says 503)."""
        sender = self.senders.get(source)
        if sender is None:
            return Answer(404, {"error": f"no event source {source[:40]!r}"})
        now = self.clock()
        request = Request(headers, body, query or {})
        try:
            why = (
                sender.problem(request, sender.secret, now.timestamp())
                if sender.secret
                else f"{sender.secret_name} is not set on the server"
            )
        except Unavailable as exc:
            log.warning("could not verify an event for /events/%s: %s", source, exc)
            return Answer(503, {"error": str(exc)})
        if why is not None:
            log.warning("refused an event for /events/%s: %s", source, why)
            return Answer(401, {"error": why})
        try:
            parsed = sender.parse(json.loads(body))
        except (ValueError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, NotTheShape) else "body is not JSON"
            log.warning("refused a signed event for /events/%s: %s", source, reason)
            return Answer(400, {"error": reason})
        key = f"event:{source}:{parsed.delivery or sender.delivery_id(request)}"
        return self._accept(source, key, parsed, now)

    def take(self, source: str, key: str, parsed: Parsed) -> Answer:
        """An event whose sender was authenticated elsewhere (an SQS queue read with AWS
        credentials), under its delivery ``key``."""
        return self._accept(source, key, parsed, self.clock())

    def _accept(self, source: str, key: str, parsed: Parsed, now: datetime) -> Answer:
        """A verified, well-formed event: the handshake, the ignored, the duplicate, the new."""
        if parsed.validation_code is not None:
            assert parsed.topic is not None
            with self.store.transaction() as conn:
                audit.record(
                    conn,
                    action="events.azure_validated",
                    subject=_topic_key(parsed.topic),
                    actor="events:azure",
                    now=now,
                    detail={"topic": parsed.topic},
                )
            log.info("validated the Event Grid subscription of %s", parsed.topic)
            return Answer(200, {"validationResponse": parsed.validation_code})
        if parsed.topic is not None and not self._validated(parsed.topic):
            why = f"the Event Grid subscription of {parsed.topic[:200]} was not validated here"
            log.warning("refused an event for /events/%s: %s", source, why)
            return Answer(401, {"error": why})
        if parsed.ignored is not None:
            log.info("ignored an event for /events/%s: %s", source, parsed.ignored)
            return Answer(202, {"ignored": parsed.ignored})
        with self.store.transaction() as conn:
            if not inbound.first_time(conn, key, now):
                return Answer(200, {"duplicate": True})
            dues = self._store(conn, source, parsed, now)
        if dues:
            self.on_stored(min(dues))
        return Answer(202, {"watched": len(dues), "objects": len(parsed.objects)})

    def _validated(self, topic: str) -> bool:
        with self.store.transaction() as conn:
            return bool(audit.about(conn, _topic_key(topic)))

    def _store(
        self, conn: Connection, source: str, parsed: Parsed, now: datetime
    ) -> list[datetime]:
        """Open or extend the windows of the watched objects; when each is due at the latest."""
        dues: list[datetime] = []
        if parsed.registry is not None and self._registry(conn, parsed.registry, now):
            dues.append(now)
        for found in parsed.objects:
            if found.etag and not inbound.first_time(conn, _object_key(found), now):
                log.info("%s (etag %s) was announced before; nothing to do", found.url, found.etag)
                continue
            matches = [
                w
                for w in self.config.watch
                if w.source == source and found.url.startswith(w.prefix)
            ]
            if not matches:
                log.info("no watch for %s (from /events/%s); no check", found.url[:300], source)
            marker = self.config.marker is not None and (
                posixpath.basename(found.url) == self.config.marker
            )
            due = now if marker else now + self.config.settle
            for watch in matches:
                settle.note_event(conn, source, watch.prefix, watch.data, now, due, marker)
                dues.append(due)
        return dues

    def _registry(self, conn: Connection, change: RegistryChange, now: datetime) -> bool:
        """Audit what the registry says happened; with ``baseline: follow-alias``, a move of
        the champion alias opens a window (due now) that makes its run the baseline."""
        subject = f"models:/{change.model}/{change.version}" if change.version else None
        audit.record(
            conn,
            action=f"mlflow.{change.kind}",
            subject=subject,
            actor="mlflow-webhook",  # MLflow's payloads do not say who made the change
            now=now,
            detail=change.as_json(),
        )
        moved = (change.kind == mlflow.ALIAS_CREATED) and (change.model, change.alias) == (
            self.champion
        )
        if not moved or self.config.baseline != "follow-alias":
            return False
        uri = f"models:/{change.model}@{change.alias}"
        settle.note_event(conn, "mlflow", uri, uri, now, now, marker=True)
        return True


def _object_key(found: ObjectCreated) -> str:
    """The same object announced twice (two senders, a re-sent notification): one event."""
    return "object:" + hashlib.sha256(f"{found.url}\0{found.etag}".encode()).hexdigest()[:40]


def _topic_key(topic: str) -> str:
    """The audit subject remembering a validated Event Grid topic (topics are long)."""
    return "azure:" + hashlib.sha256(topic.encode()).hexdigest()[:40]
