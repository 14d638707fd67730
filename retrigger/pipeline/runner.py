"""Execute one decision: lock, pull, repro, validate, push, record, promote — each step recorded
with its status and duration, promotion last.

Resuming is by decision: a rerun after a crash or an MLflow outage starts a new attempt of the
same decision. ``dvc repro`` then finds its outputs up to date, the metric measured before the
first repro is read back from the state store, and the MLflow run and registry version are found
by their ``retrigger.decision_id`` tag — nothing is created twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from retrigger.data.remote import verify_on_remote
from retrigger.decision import Decision
from retrigger.errors import BadInput, Interrupted, LockHeld, RetriggerError, WorkFailed
from retrigger.lineage import tags
from retrigger.pipeline import facts, lock
from retrigger.pipeline.dvc import command_args, require_remote, run_streamed
from retrigger.pipeline.outcome import FINAL_STATUSES, Outcome, failed_exit
from retrigger.pipeline.select import mark_executed
from retrigger.proc import stop_group
from retrigger.store import attempts, outbox
from retrigger.store.audit import record
from retrigger.workspace import Workspace

Say = Callable[[str], None]


@dataclass
class _Box:
    detail: str | None = None


class Retrain:
    """One execution of ``decision``; ``execute()`` returns the outcome (LockHeld when busy)."""

    def __init__(self, workspace: Workspace, decision: Decision, *, requested_by: str,
                 approved_by: str | None, approval_id: str | None, say: Say) -> None:
        self.ws = workspace
        self.decision = decision
        self.requested_by = decision.requested_by or requested_by
        self.approved_by = approved_by
        self.approval_id = approval_id
        self.say = say
        self.model = workspace.config.model.name
        self.attempt_id = attempts.new_attempt_id(workspace.clock())
        self.facts: dict[str, Any] = {}
        self.steps: list[attempts.Step] = []
        self.current: str | None = None
        self._warm: Future[str] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def execute(self) -> Outcome:
        pipeline = self.ws.config.pipeline
        command = command_args(pipeline.command)
        if pipeline.push:
            require_remote(self.ws.root)  # before anything is stored or run
        started = time.monotonic()
        dead = lock.acquire(self.ws.store, self.model, self.attempt_id, self.decision.id,
                            lock.Me.current(), self.ws.clock(), pipeline.lock_stale_after,
                            self._reclaimed)
        try:
            if dead is not None and dead.child_pid and dead.hostname == lock.Me.current().hostname:
                stop_group(dead.child_pid)  # the dead runner's dvc repro may still be running
            earlier = self._earlier()
            done = [a for a in earlier if a.status in FINAL_STATUSES]
            if done:
                if self.approval_id is not None:
                    with self.ws.store.transaction() as conn:
                        mark_executed(conn, self.approval_id, self.ws.clock())
                return facts.already_done(self.decision, done[-1], self.ws.config.model.metric)
            self._start(earlier, time.monotonic() - started, dead)
            interval = pipeline.lock_stale_after / 4
            with lock.Heartbeat(self.ws.store, self.model, self.attempt_id, interval,
                                self.ws.clock):
                return self._run_steps(command)
        finally:
            lock.release(self.ws.store, self.model, self.attempt_id)

    def _reclaimed(self, conn: Any, dead: lock.Holder) -> None:
        why = (f"runner pid {dead.pid} on {dead.hostname} died; its lock was reclaimed by "
               f"attempt {self.attempt_id}")
        attempts.mark_interrupted(conn, dead.attempt_id, self.ws.clock(), why)
        self.say(f"reclaimed the lock: {why}; attempt {dead.attempt_id} marked interrupted")

    def _earlier(self) -> list[attempts.Attempt]:
        with self.ws.store.transaction() as conn:
            return attempts.for_decision(conn, self.decision.id)

    def _start(self, earlier: list[attempts.Attempt], lock_seconds: float,
               dead: lock.Holder | None) -> None:
        for attempt in earlier:  # carry what earlier attempts learned (first value wins)
            for key, value in attempt.facts.items():
                self.facts.setdefault(key, value)
        self.facts["resumed"] = bool(earlier)
        now = self.ws.clock()
        me = lock.Me.current()
        with self.ws.store.transaction() as conn:
            attempts.start(conn, self.attempt_id, self.decision.id, self.model, now, pid=me.pid,
                           hostname=me.hostname, requested_by=self.requested_by,
                           approved_by=self.approved_by)
            step_id = attempts.step_started(conn, self.attempt_id, "lock", now)
            detail = (f"reclaimed from dead pid {dead.pid} on {dead.hostname}" if dead
                      else f"pid {me.pid} on {me.hostname}")
            attempts.step_finished(conn, step_id, attempts.OK, lock_seconds, detail)
            if self.approval_id is not None:
                mark_executed(conn, self.approval_id, now)
            self._announce(conn, outbox.RETRAIN_STARTED, "running")
            record(conn, action="retrain.started", subject=self.decision.id,
                   actor=self.requested_by, now=now, detail={"attempt_id": self.attempt_id})
        self.steps.append(attempts.Step("lock", attempts.OK, now, lock_seconds, detail))
        self.say(f"retraining {self.model} for decision {self.decision.id} "
                 f"(attempt {self.attempt_id}{', resuming' if earlier else ''})")

    def _run_steps(self, command: list[str]) -> Outcome:
        from retrigger.pipeline import stages

        self._warm = ThreadPoolExecutor(1, thread_name_prefix="retrigger-mlflow").submit(
            self._warm_tracking)
        try:
            return stages.run_all(self, command)
        except Interrupted as exc:
            self._finish("interrupted", str(exc))
            raise
        except LockHeld:
            raise
        except RetriggerError as exc:
            return self._failed(str(exc))
        except Exception as exc:  # MLflow or the network: record where it stopped
            where = self.current or "start"
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return self._failed(f"step {where} failed: {text[:300]}; fix it and rerun "
                                f"`retrigger run --decision {self.decision.id}` to resume")

    # -- steps -------------------------------------------------------------------------------

    @contextmanager
    def step(self, name: str) -> Iterator[_Box]:
        self.current = name
        now = self.ws.clock()
        with self.ws.store.transaction() as conn:
            step_id = attempts.step_started(conn, self.attempt_id, name, now)
        self.say(f"▶ {name}")
        box = _Box()
        started = time.monotonic()
        status = attempts.FAILED
        try:
            yield box
            status = attempts.OK
        except (Interrupted, KeyboardInterrupt) as exc:
            status, box.detail = attempts.INTERRUPTED, str(exc) or "interrupted"
            raise
        except BaseException as exc:
            box.detail = str(exc)[:500]
            raise
        finally:
            seconds = time.monotonic() - started
            with self.ws.store.transaction() as conn:
                attempts.step_finished(conn, step_id, status, seconds, box.detail)
            self.steps.append(attempts.Step(name, status, now, seconds, box.detail))
            mark = {"ok": "✓", "failed": "✗"}.get(status, "!")
            self.say(f"{mark} {name} {seconds:.1f}s" + (f": {box.detail}" if box.detail else ""))

    def stream(self, args: list[str], timeout: float | None) -> None:
        started = time.monotonic()

        def child(pid: int | None) -> None:
            lock.set_child(self.ws.store, self.model, self.attempt_id, pid)

        run_streamed(args, self.ws.root,
                     lambda text: self.say(f"  [{time.monotonic() - started:5.1f}s] {text}"),
                     timeout, on_start=child)
        child(None)

    def push(self, timeout: float | None) -> None:
        self.stream(["dvc", "push"], timeout)
        config = self.ws.config
        try:
            verify_on_remote(self.ws.root, [config.model.artifact, *config.data],
                             timeout=timeout)
        except BadInput as exc:  # after a retrain, an object nobody can push is a failure
            raise WorkFailed(str(exc)) from None

    def tracking_client(self) -> Any:
        """The MLflow client, warmed up on a thread while ``dvc repro`` ran."""
        assert self._warm is not None
        self._warm.result()
        return self.ws.tracking.client

    def experiment_id(self) -> str:
        assert self._warm is not None
        return self._warm.result()

    def _warm_tracking(self) -> str:
        experiment = self.ws.tracking.experiment_id(create=True)
        assert experiment is not None
        return experiment

    def save_facts(self) -> None:
        with self.ws.store.transaction() as conn:
            attempts.save_facts(conn, self.attempt_id, self.facts)

    # -- endings -----------------------------------------------------------------------------

    def finish(self, status: str, message: str, error: str | None = None) -> Outcome:
        self._finish(status, error)
        return self.outcome(status, message)

    def _finish(self, status: str, error: str | None) -> None:
        kind = {"promoted": outbox.RETRAIN_SUCCEEDED, tags.STATUS_REJECTED: outbox.RETRAIN_REJECTED
                }.get(status, outbox.RETRAIN_FAILED)
        now = self.ws.clock()
        with self.ws.store.transaction() as conn:
            attempts.finish(conn, self.attempt_id, status, now, self.facts,
                            stopped_at=None if status == "promoted" else self.current,
                            error=error)
            self._announce(conn, kind, status, error)
            record(conn, action=f"retrain.{status}", subject=self.decision.id,
                   actor=self.requested_by, now=now,
                   detail={"attempt_id": self.attempt_id, "error": error,
                           "run_id": self.facts.get("run_id"),
                           "version": self.facts.get("model_version")})

    def _failed(self, message: str) -> Outcome:
        from retrigger.pipeline import stages

        stages.record_failure(self, message)
        return self.finish(tags.STATUS_FAILED, message, error=message)

    def outcome(self, status: str, message: str) -> Outcome:
        return facts.outcome(self, status, message, failed_exit(status))

    def _announce(self, conn: Any, kind: str, status: str, error: str | None = None) -> None:
        payload = {
            "model": self.model, "decision_id": self.decision.id, "status": status,
            "trigger_types": list(self.decision.trigger_types),
            "metric": self.ws.config.model.metric,
            "metric_before": self.facts.get("metric_before"),
            "metric_after": self.facts.get("metric_after"), "run_id": self.facts.get("run_id"),
            "version": self.facts.get("model_version"), "error": error,
            "requested_by": self.requested_by, "attempt_id": self.attempt_id,
        }
        outbox.enqueue(conn, kind, payload, channel=self.ws.config.slack.channel,
                       now=self.ws.clock(), thread_key=self.decision.id)
