"""Closed settle windows → one normal ``retrigger check`` each, after the sender's answer.

The windows are rows in the state store (``retrigger.store.settle``), so a restart loses
none: the loop claims each closed window once (a conditional UPDATE), runs ``retrigger
check --json`` as its own process — the same command CI runs, its notifications included,
and the server's memory stays flat — and stores the decision id beside the window with an
audit record naming the prefix and the number of events it settled.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from retrigger import proc
from retrigger.config.models import RememberConfig, RetriggerConfig
from retrigger.config.secrets import Secrets
from retrigger.pipeline.dispatch import EVENT_TYPE, repository_dispatch
from retrigger.store import Connection, audit, inbound, settle
from retrigger.store.serial import Transactional
from retrigger.store.settle import Window

log = logging.getLogger(__name__)
CHECK_TIMEOUT_S = 30 * 60.0
LEASE = timedelta(seconds=CHECK_TIMEOUT_S + 60)  # past it, a crashed checker's window is retried
IDLE_S = 60.0  # with no window open, look again this often (another process may have opened one)
REGISTRY = "mlflow"  # a window opened by a champion alias move: the baseline follows it


@dataclass(frozen=True)
class Outcome:
    decision_id: str | None
    error: str | None
    acted: str | None = None  # what pipeline.dispatch did with a firing decision


def acting(
    config: RetriggerConfig, secrets: Secrets, root: Path, path: Path
) -> Callable[[str], str] | None:
    """What a firing decision starts (``pipeline.dispatch``), as a one-line account."""
    how = config.pipeline.dispatch
    github = config.dispatch_github
    if how == "github" and github is not None:
        token = secrets.github_token

        def dispatch(decision_id: str) -> str:
            refused = repository_dispatch(github, token, decision_id)
            return refused or f"dispatched {EVENT_TYPE} for {decision_id} to {github.repo}"

        return dispatch
    if how == "local":

        def run(decision_id: str) -> str:
            argv = [sys.executable, "-m", "retrigger", "run", "--decision", decision_id]
            argv += ["--config", str(path)]
            done = proc.run(argv, root, check=False, timeout=None)
            return f"retrigger run --decision {decision_id} exited {done.returncode}"

        return run
    return None


def check_process(
    root: Path, config: Path, act: Callable[[str], str] | None = None
) -> Callable[[Window], Outcome]:
    """Run the normal check for the project at ``root``, as its own process; for a moved
    champion alias (``baseline: follow-alias``), ``retrigger baseline set models:/NAME@ALIAS``."""

    def run(window: Window) -> Outcome:
        command = ["check", "--json"]
        if window.source == REGISTRY:
            command = ["baseline", "set", window.data, "--json"]
        argv = [sys.executable, "-m", "retrigger", *command, "--config", str(config)]
        try:
            result = proc.run(argv, root, check=False, timeout=CHECK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return Outcome(
                None, f"retrigger {command[0]} did not finish within {CHECK_TIMEOUT_S:g} s"
            )
        try:
            said = json.loads(result.stdout)
            found = said.get("decision_id")
        except (ValueError, AttributeError):
            said, found = {}, None
        if result.returncode == 0 and window.source == REGISTRY:
            return Outcome(None, None)
        if result.returncode == 0 and isinstance(found, str):
            fires = said.get("fire") is True and not said.get("held_by")
            return Outcome(found, None, act(found) if act is not None and fires else None)
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return Outcome(None, f"retrigger {command[0]} exited {result.returncode}: {tail}")

    return run


def forget(conn: Connection, remember: RememberConfig, now: datetime) -> None:
    """Forget each source's delivery ids once it no longer redelivers (``events.remember``);
    an object's URL and eTag, once no source does."""
    # A field per source (its keys: ``event:<source>:…``), so a new source is forgotten too.
    kept: dict[str, timedelta] = {
        f"event:{source}:": getattr(remember, source) for source in type(remember).model_fields
    }
    for prefix, memory in kept.items():
        inbound.forget_before(conn, now - memory, prefix)
    inbound.forget_before(conn, now - max(kept.values()), "object:")


def run_due(
    store: Transactional, clock: Callable[[], datetime], check: Callable[[Window], Outcome]
) -> int:
    """Check every closed window once; the number checked."""
    done = 0
    while True:
        with store.transaction() as conn:
            window = settle.claim_due(conn, clock(), LEASE)
        if window is None:
            return done
        log.info("%s settled after %d event(s); running check", window.prefix, window.events)
        outcome = check(window)
        registry = window.source == REGISTRY
        with store.transaction() as conn:
            settle.finish(conn, window.id, outcome.decision_id, outcome.error, clock())
            audit.record(
                conn,
                action="events.baseline_followed" if registry else "events.settled",
                subject=outcome.decision_id or (window.data if registry else None),
                actor=f"events:{window.source}",
                now=clock(),
                detail={
                    "prefix": window.prefix,
                    "data": window.data,
                    "events": window.events,
                    "marker": window.marker_seen,
                    "opened_at": window.opened_at.isoformat(),
                    "error": outcome.error,
                    "acted": outcome.acted,
                },
            )
        done += 1


class SettleLoop:
    """A daemon thread that runs closed windows' checks; ``wake(due)`` after storing an event."""

    def __init__(
        self,
        store: Transactional,
        clock: Callable[[], datetime],
        check: Callable[[Window], Outcome],
        remember: RememberConfig | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.check = check
        self.remember = remember or RememberConfig()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # When the loop looks again; None while a round runs (then every wake counts).
        self._planned: datetime | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="retrigger-events", daemon=True)
            self._thread.start()

    def wake(self, due: datetime | None = None) -> None:
        """Run a round now, unless a window that closes at ``due`` closes no earlier than the
        round already planned: under a burst every event extends a window, and a round per
        event would put three store transactions beside each event's one."""
        planned = self._planned
        if due is None or planned is None or due < planned:
            self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            # In this order: an event stored before the round's own reads is seen by them,
            # one stored after them finds ``_planned`` None or later than its due, and wakes.
            self._planned = None
            self._wake.clear()
            wait = IDLE_S
            try:
                run_due(self.store, self.clock, self.check)
                with self.store.transaction() as conn:
                    forget(conn, self.remember, self.clock())
                    due = settle.next_due(conn)
                if due is not None:
                    wait = min(wait, max((due - self.clock()).total_seconds(), 0.05))
            except Exception:  # a store hiccup must not end the loop; retry next round
                log.exception("events loop round failed")
            self._planned = self.clock() + timedelta(seconds=wait)
            self._wake.wait(wait)
