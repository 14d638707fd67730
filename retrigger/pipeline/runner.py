"""Execute one decision: lock, pull, repro, validate, push, record, promote — each step recorded
with its status and duration, promotion last.

Resuming is by decision: a rerun after a crash or an MLflow outage starts a new attempt of the
same decision. ``dvc repro`` then finds its outputs up to date, the metric measured before the
first repro is read back from the state store, and the MLflow run and registry version are found
by their ``retrigger.decision_id`` tag — nothing is created twice.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from retrigger.config.secrets import Secrets
from retrigger.lineage import people
from retrigger.lineage.status import FINAL, RetrainStatus, StepStatus
from retrigger.pipeline import facts as report
from retrigger.pipeline import lock
from retrigger.pipeline.dvc import command_args, require_remote
from retrigger.pipeline.ending import Say
from retrigger.pipeline.outcome import Outcome
from retrigger.pipeline.sequence import StepSequence
from retrigger.pipeline.state import carried
from retrigger.proc import stop_group
from retrigger.store import approvals, attempts, outbox
from retrigger.store.audit import record

__all__ = ["Retrain", "Say"]


class Retrain(StepSequence):
    """One execution of ``decision``; ``execute()`` returns the outcome (LockHeld when busy).
    The attempt's state and endings: retrigger.pipeline.ending; its steps:
    retrigger.pipeline.sequence; here, taking the lock and starting (or resuming) it."""

    # -- lifecycle ---------------------------------------------------------------------------

    def execute(self) -> Outcome:
        pipeline = self.ws.config.pipeline
        command = command_args(pipeline.command)
        if pipeline.push:
            require_remote(self.ws.root)  # before anything is stored or run
        started = time.monotonic()
        dead = lock.acquire(
            self.ws.store,
            self.model,
            self.attempt_id,
            self.decision.id,
            lock.Me.current(),
            self.ws.clock(),
            pipeline.lock_stale_after,
            self._reclaimed,
        )
        try:
            if dead is not None and dead.child_pid and dead.hostname == lock.Me.current().hostname:
                stop_group(dead.child_pid)  # the dead runner's dvc repro may still be running
            earlier = self._earlier()
            done = [a for a in earlier if a.status in FINAL]
            if done:
                if self.approval_id is not None:
                    with self.ws.store.transaction() as conn:
                        approvals.mark_executed(conn, self.approval_id, self.ws.clock())
                return report.already_done(self.decision, done[-1], self.ws.config.model.metric)
            self._start(earlier, time.monotonic() - started, dead)
            interval = pipeline.lock_stale_after / 4
            with lock.Heartbeat(
                self.ws.store, self.model, self.attempt_id, interval, self.ws.clock
            ):
                return self._run_steps(command)
        finally:
            lock.release(self.ws.store, self.model, self.attempt_id)

    def _reclaimed(self, conn: Any, dead: lock.Holder) -> None:
        why = (
            f"runner pid {dead.pid} on {dead.hostname} died; its lock was reclaimed by "
            f"attempt {self.attempt_id}"
        )
        attempts.mark_interrupted(conn, dead.attempt_id, self.ws.clock(), why)
        self.say(f"reclaimed the lock: {why}; attempt {dead.attempt_id} marked interrupted")

    def _names(self) -> dict[str, str]:
        """Display names of who asked and who approved, for MLflow (the ids stay in tags)."""
        slack = self.ws.config.slack
        client = people.slack_client(slack.api_url, Secrets.from_env().slack_bot_token)
        job = self.job
        return people.names(
            [job.requested_by, job.approved_by], self.ws.root, self.ws.clock(), client
        )

    def _earlier(self) -> list[attempts.Attempt]:
        with self.ws.store.transaction() as conn:
            return attempts.for_decision(conn, self.decision.id)

    def _start(
        self, earlier: list[attempts.Attempt], lock_seconds: float, dead: lock.Holder | None
    ) -> None:
        self.facts = carried([attempt.facts for attempt in earlier])
        self.job = replace(self.job, names=self._names())
        # An earlier attempt's repro may have trained already: "up to date" is then a resume.
        self.repro_ran_before = any(s.name == "repro" for a in earlier for s in a.steps)
        # ...and one that finished trained what a forced retrain asked for: not forced again.
        self.repro_done_before = any(
            s.name == "repro" and s.status == StepStatus.OK for a in earlier for s in a.steps
        )
        now = self.ws.clock()
        me = lock.Me.current()
        detail = (
            f"reclaimed from dead pid {dead.pid} on {dead.hostname}"
            if dead
            else f"pid {me.pid} on {me.hostname}"
        )
        self._record_start(now, me, lock_seconds, detail)
        self.journal.steps.append(attempts.Step("lock", StepStatus.OK, now, lock_seconds, detail))
        self.say(
            f"retraining {self.model} for decision {self.decision.id} "
            f"(attempt {self.attempt_id}{', resuming' if earlier else ''})"
        )

    def _record_start(self, now: datetime, me: lock.Me, lock_seconds: float, detail: str) -> None:
        """The attempt started and its lock step, in the state store, the outbox and the audit."""
        with self.ws.store.transaction() as conn:
            attempts.start(
                conn,
                self.attempt_id,
                self.decision.id,
                self.model,
                now,
                pid=me.pid,
                hostname=me.hostname,
                requested_by=self.job.requested_by,
                approved_by=self.job.approved_by,
            )
            step_id = attempts.step_started(conn, self.attempt_id, "lock", now)
            attempts.step_finished(conn, step_id, StepStatus.OK, lock_seconds, detail)
            if self.approval_id is not None:
                approvals.mark_executed(conn, self.approval_id, now)
            self._announce(conn, outbox.RETRAIN_STARTED, RetrainStatus.RUNNING)
            record(
                conn,
                action="retrain.started",
                subject=self.decision.id,
                actor=self.job.requested_by,
                now=now,
                detail={"attempt_id": self.attempt_id},
            )
