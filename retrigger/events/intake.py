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
from retrigger.events import mlflow, s3, verify, webhook
from retrigger.events.model import NotTheShape, ObjectCreated, Parsed, RegistryChange
from retrigger.store import Connection, audit, inbound, settle
from retrigger.store.serial import Transactional

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    status: int
    document: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sender:
    """How one source authenticates and what its body looks like."""

    secret_name: str  # the environment variable, named in refusals (never its value)
    secret: str | None
    problem: Callable[[Mapping[str, str], bytes, str, float], str | None]
    delivery_id: Callable[[Mapping[str, str], bytes], str]
    parse: Callable[[Any], Parsed]


def senders(secrets: Secrets) -> dict[str, Sender]:
    return {
        "webhook": Sender(
            "RETRAIN_EVENTS_WEBHOOK_SECRET",
            secrets.events_webhook_secret,
            _standard,
            lambda headers, _body: headers[verify.STANDARD.id_header],
            webhook.parse,
        ),
        "mlflow": Sender(
            "RETRAIN_EVENTS_MLFLOW_SECRET",
            secrets.events_mlflow_secret,
            _mlflow,
            lambda headers, _body: headers[verify.MLFLOW.id_header],
            mlflow.parse,
        ),
        "s3": Sender(
            "RETRAIN_EVENTS_S3_API_KEY",
            secrets.events_s3_api_key,
            lambda headers, _body, key, _now: verify.api_key_problem(
                headers, s3.API_KEY_HEADER, key
            ),
            # S3 sends no delivery id; a redelivery is the same body.
            lambda _headers, body: hashlib.sha256(body).hexdigest()[:40],
            s3.parse,
        ),
    }


def _standard(headers: Mapping[str, str], body: bytes, secret: str, now: float) -> str | None:
    try:
        key = verify.standard_key(secret)
    except ValueError as exc:
        return str(exc)
    return verify.signature_problem(verify.STANDARD, headers, body, key, now)


def _mlflow(headers: Mapping[str, str], body: bytes, secret: str, now: float) -> str | None:
    return verify.signature_problem(verify.MLFLOW, headers, body, secret.encode(), now)


class Intake:
    def __init__(
        self,
        store: Transactional,
        config: EventsConfig,
        secrets: Secrets,
        clock: Callable[[], datetime],
        on_stored: Callable[[], None] = lambda: None,
        champion: tuple[str, str] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        # (model.name, pipeline.champion_alias): whose alias moves the baseline follows.
        self.champion = champion
        self.senders = senders(secrets)
        self.clock = clock
        self.on_stored = on_stored

    def receive(self, source: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """The answer to one request; raises only when the store fails (the caller says 503)."""
        sender = self.senders.get(source)
        if sender is None:
            return Answer(404, {"error": f"no event source {source[:40]!r}"})
        now = self.clock()
        if not sender.secret:
            why: str | None = f"{sender.secret_name} is not set on the server"
        else:
            why = sender.problem(headers, body, sender.secret, now.timestamp())
        if why is not None:
            log.warning("refused an event for /events/%s: %s", source, why)
            return Answer(401, {"error": why})
        try:
            parsed = sender.parse(json.loads(body))
        except (ValueError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, NotTheShape) else "body is not JSON"
            log.warning("refused a signed event for /events/%s: %s", source, reason)
            return Answer(400, {"error": reason})
        if parsed.ignored is not None:
            log.info("ignored an event for /events/%s: %s", source, parsed.ignored)
            return Answer(202, {"ignored": parsed.ignored})
        key = f"event:{source}:{sender.delivery_id(headers, body)}"
        with self.store.transaction() as conn:
            if not inbound.first_time(conn, key, now):
                return Answer(200, {"duplicate": True})
            watched = self._store(conn, source, parsed, now)
        if watched:
            self.on_stored()
        return Answer(202, {"watched": watched, "objects": len(parsed.objects)})

    def _store(self, conn: Connection, source: str, parsed: Parsed, now: datetime) -> int:
        """Open or extend the windows of the watched objects; the number watched."""
        watched = 0
        if parsed.registry is not None:
            watched += self._registry(conn, parsed.registry, now)
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
            for watch in matches:
                due = now + self.config.settle
                settle.note_event(conn, source, watch.prefix, watch.data, now, due, marker)
                watched += 1
        return watched

    def _registry(self, conn: Connection, change: RegistryChange, now: datetime) -> int:
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
            return 0
        uri = f"models:/{change.model}@{change.alias}"
        settle.note_event(conn, "mlflow", uri, uri, now, now, marker=True)
        return 1


def _object_key(found: ObjectCreated) -> str:
    """The same object announced twice (two senders, a re-sent notification): one event."""
    return "object:" + hashlib.sha256(f"{found.url}\0{found.etag}".encode()).hexdigest()[:40]
