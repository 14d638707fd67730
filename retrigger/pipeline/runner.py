"""Execute one decision: lock, pull, repro, validate, push, record, promote — each step recorded
with its status and duration, promotion last.

Resuming is by decision: a rerun after a crash or an MLflow outage starts a new attempt of the
same decision. ``dvc repro`` then finds its outputs up to date, the metric measured before the
first repro is read back from the state store, and the MLflow run and registry version are found
by their ``retrigger.decision_id`` tag — nothing is created twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from retrigger.config.secrets import Secrets
from retrigger.decision import Decision
from retrigger.errors import DvcBusy, Interrupted, LockHeld, RetriggerError
from retrigger.lineage import people
from retrigger.lineage.failures import tracking_failure
from retrigger.lineage.status import FINAL, RetrainStatus, StepStatus
from retrigger.notify import linking
from retrigger.pipeline import facts as report
from retrigger.pipeline import incomparable, load_check, lock, runrecord, stages
from retrigger.pipeline.candidate import Candidate
from retrigger.pipeline.candidate import log as log_model
from retrigger.pipeline.challenge import Challenge, note_restored, open_challenge, put_back, refused
from retrigger.pipeline.dvc import command_args, require_remote
from retrigger.pipeline.failure_tail import log_to_run, mask, process_secrets
from retrigger.pipeline.force import for_decision as plan_repro
from retrigger.pipeline.journal import Journal
from retrigger.pipeline.outcome import Outcome
from retrigger.pipeline.record import Warm, write
from retrigger.pipeline.repro_report import ReproReport, is_dvc_repro
from retrigger.pipeline.state import AttemptFacts, Job, Outputs, carried
from retrigger.pipeline.unjudged import nothing_compared
from retrigger.proc import stop_group
from retrigger.store import approvals, attempts, outbox
from retrigger.store.audit import record
from retrigger.workspace import Workspace

Say = Callable[[str], None]
# Endings that stopped nowhere: every step they needed ran.
_FINISHED = frozenset({RetrainStatus.PROMOTED, RetrainStatus.NOTHING_TO_TRAIN})
# Steps before the model was pushed: a failure there puts the work tree back.
_BEFORE_PUSHED = frozenset({"repro", "outputs", "validate", "load", "push"})


class Retrain:
    """One execution of ``decision``; ``execute()`` returns the outcome (LockHeld when busy)."""

    def __init__(
        self,
        workspace: Workspace,
        decision: Decision,
        *,
        requested_by: str,
        approved_by: str | None,
        approval_id: str | None,
        say: Say,
    ) -> None:
        self.ws = workspace
        self.job = Job(
            decision,
            attempts.new_attempt_id(workspace.clock()),
            decision.requested_by or requested_by,
            approved_by,
        )
        self.approval_id = approval_id
        self.say = say
        self.model = workspace.config.model.name
        self.facts = AttemptFacts()
        self.journal = Journal(workspace, self.job.attempt_id, self.model, say)
        self._mlflow: Warm | None = None
        self.challenge: Challenge | None = None  # the retrain run and model, once opened
        self.repro_ran_before = False
        self.repro_done_before = False
        self._unjudged: dict[str, Any] | None = None  # why the gate compared nothing

    @property
    def attempt_id(self) -> str:
        return self.job.attempt_id

    @property
    def decision(self) -> Decision:
        return self.job.decision

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
            detail = (
                f"reclaimed from dead pid {dead.pid} on {dead.hostname}"
                if dead
                else f"pid {me.pid} on {me.hostname}"
            )
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
        self.journal.steps.append(attempts.Step("lock", StepStatus.OK, now, lock_seconds, detail))
        self.say(
            f"retraining {self.model} for decision {self.decision.id} "
            f"(attempt {self.attempt_id}{', resuming' if earlier else ''})"
        )

    def _run_steps(self, command: list[str]) -> Outcome:
        self._mlflow = Warm(self.ws)
        try:
            return self._run_all(command, self._mlflow)
        except Interrupted as exc:
            self._finish(RetrainStatus.INTERRUPTED, str(exc))
            raise
        except DvcBusy as exc:  # not a failure: resumable by the same command
            self._finish(RetrainStatus.BUSY, str(exc))
            raise
        except LockHeld:
            raise
        except RetriggerError as exc:
            return self._failed(str(exc))
        except Exception as exc:  # MLflow or the network: record where it stopped
            where = self.journal.current or "start"
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            text = tracking_failure(exc, self.ws.tracking.uri) or text[:300]
            return self._failed(
                f"step {where} failed: {text}; fix it and rerun "
                f"`retrigger run --decision {self.decision.id}` to resume"
            )

    # -- steps -------------------------------------------------------------------------------

    def _run_all(self, command: list[str], mlflow: Warm) -> Outcome:
        """pull, repro, outputs, validate, push, record, promote: each step's result kept."""
        ws, facts = self.ws, self.facts
        pipeline = ws.config.pipeline
        timeout = pipeline.stage_timeout.total_seconds() if pipeline.stage_timeout else None
        if pipeline.pull:
            with self.journal.step("pull"):
                self.journal.stream(["dvc", "pull"], timeout)
        if not facts.before_measured:  # measured once per decision, before the first repro
            facts.metric_before, facts.before_measured = stages.metric_before(ws, mlflow), True
            self.save_facts()
        with self.journal.step("repro") as box:
            # The run exists before the pipeline does: its duration is the retrain's, and the
            # pipeline's own mlflow.start_run() resumes it (MLFLOW_RUN_ID in the stage's env).
            self.challenge = challenge = open_challenge(
                ws, mlflow.experiment_id(), self.decision, self.attempt_id, self.job.requested_by
            )
            # A manual decision forces training, unless an earlier attempt's repro did.
            repro = plan_repro(ws, self.decision, command, resumed=self.repro_done_before)
            if repro.note or repro.forced:
                self.say(repro.note or f"forcing {', '.join(repro.forced)}: {repro.shown}")
            facts.run_id, facts.repro = challenge.run_id, ReproReport(forced=repro.forced)
            self.save_facts()
            watch = facts.repro.see if all(map(is_dvc_repro, repro.commands)) else None
            for args in repro.commands:
                self.journal.stream(args, timeout, env=challenge.env, watch=watch)
            self.save_facts()
            box.detail = facts.repro.describe() if watch else repro.note
        if facts.repro.trained_nothing and not self.repro_ran_before:
            return self._nothing_to_train(mlflow, facts.repro)
        with self.journal.step("outputs") as box:
            candidate, outputs = stages.outputs(ws, " ".join(command), challenge, self.attempt_id)
            facts.outputs = outputs
            self.save_facts()
            box.detail = (
                f"{ws.config.model.metric}={outputs.metric_after:.4g}; model: {candidate.kind}"
            )
        if candidate.requirements:
            self.say(candidate.requirements)
        with self.journal.step("validate") as box:
            verdict = stages.validate(ws, self.decision.id, candidate, outputs, challenge.run_id)
            facts.validation = verdict
            self.save_facts()
            box.detail = verdict.reason
        if verdict.passed and load_check.wanted(ws):
            with self.journal.step("load") as box:
                verdict, box.detail = load_check.prove(ws, candidate, verdict, self.attempt_id)
                facts.validation = verdict
                self.save_facts()
        if verdict.held:
            return self._held(mlflow, challenge, candidate, outputs)
        if not verdict.passed:
            with self.journal.step("record"):
                self._record(mlflow, RetrainStatus.REJECTED, finished=True)
            refused(ws, challenge, self.decision.id)
            restored = self._put_back()
            return self.finish(
                RetrainStatus.REJECTED,
                f"validation refused promotion: {verdict.reason}; {restored}",
            )
        if pipeline.push:
            with self.journal.step("push") as box:
                self.journal.stream(["dvc", "push"], timeout)
                stages.verify_pushed(ws, timeout)
                box.detail = "the remote holds every output"
        with self.journal.step("record") as box:
            run_id = self._record(mlflow, RetrainStatus.SUCCEEDED, finished=False)
            log_model(ws.tracking.client, run_id, candidate)  # unless the pipeline logged it
            box.detail = f"run {run_id}"
        with self.journal.step("promote") as box:
            facts.promotion, box.detail = stages.promote(ws, mlflow, self.job, facts, candidate)
            self.save_facts()
        return self.finish(RetrainStatus.PROMOTED, f"{box.detail}: {verdict.reason}")

    def _held(
        self, mlflow: Warm, challenge: Challenge, candidate: Candidate, outputs: Outputs
    ) -> Outcome:
        """Numbers from different data (validation.when_incomparable: hold): the challenger
        becomes a registered candidate, never aliased; the work tree is put back."""
        with self.journal.step("record") as box:
            run_id = self._record(mlflow, RetrainStatus.HELD, finished=False)
            log_model(self.ws.tracking.client, run_id, candidate)
            box.detail = f"run {run_id}"
        with self.journal.step("hold") as box:
            about = stages.version_text(self.ws, self.job, self.facts, RetrainStatus.HELD)
            _, box.detail = incomparable.hold(
                self.ws, mlflow, self.job, run_id, outputs, candidate, about
            )
        restored = put_back(self.ws, challenge, self.attempt_id)
        self.say(restored)
        assert self.facts.validation is not None
        return self.finish(
            RetrainStatus.HELD, f"{box.detail}; {self.facts.validation.reason}; {restored}"
        )

    def _nothing_to_train(self, mlflow: Warm, repro: ReproReport) -> Outcome:
        """``dvc repro`` ran no stage: no model to validate, register or promote. What DVC's
        run cache put in the tree is put back (it was never validated); the run says so, and
        ``check`` holds these inputs as identical-inputs from now on."""
        restored = self._put_back(keep=bool(repro.restored))
        with self.journal.step("record") as box:
            box.detail = f"run {self._record(mlflow, RetrainStatus.NOTHING_TO_TRAIN, True)}"
        self._unjudged = nothing_compared(self.ws, mlflow.client(), repro)
        return self.finish(
            RetrainStatus.NOTHING_TO_TRAIN,
            f"nothing to train: `dvc repro` ran no stage ({repro.describe()}); no model was "
            "built, validated or registered, and the same inputs will be held as "
            f"identical-inputs; {restored}",
        )

    def _put_back(self, keep: bool = True) -> str:
        """The restore step: the work tree as HEAD holds it, said in the run's output, the
        attempt's steps and its MLflow run."""
        assert self.challenge is not None
        with self.journal.step("restore") as box:
            box.detail = put_back(self.ws, self.challenge, self.attempt_id, keep)
        problem = note_restored(self.ws, self.challenge, box.detail)
        if problem:
            self.say(problem)
        return box.detail

    def _record(self, mlflow: Warm, status: RetrainStatus, finished: bool) -> str:
        """Create or update this decision's MLflow run; keep its id."""
        run = runrecord.build(self.ws, self.job, self.facts, self.journal.steps, status, None)
        run_id = write(mlflow.client(), mlflow.experiment_id(), run, finished)
        self.facts.run_id = run_id
        self.save_facts()
        return run_id

    def save_facts(self) -> None:
        with self.ws.store.transaction() as conn:
            attempts.save_facts(conn, self.attempt_id, self.facts.as_json())

    # -- endings -----------------------------------------------------------------------------

    def finish(self, status: RetrainStatus, message: str, error: str | None = None) -> Outcome:
        self._finish(status, error)
        return report.outcome(
            self.job, status, message, self.facts, self.ws.config.model.metric, self.journal.steps
        )

    def _finish(self, status: RetrainStatus, error: str | None) -> None:
        now = self.ws.clock()
        with self.ws.store.transaction() as conn:
            attempts.finish(
                conn,
                self.attempt_id,
                status,
                now,
                self.facts.as_json(),
                stopped_at=None if status in _FINISHED else self.journal.current,
                error=error,
            )
            self._announce(conn, report.outbox_kind(status), status, error)
            record(
                conn,
                action=f"retrain.{status}",
                subject=self.decision.id,
                actor=self.job.requested_by,
                now=now,
                detail=report.ending(self.job, self.facts, error),
            )

    def _failed(self, message: str) -> Outcome:
        # The cause travels: the failed command's last lines, masked like its message.
        message = mask(message, process_secrets())
        self.facts.failure = self.journal.failure
        where = self.journal.current  # the step that failed, before the restore step runs
        if where is not None and where not in stages.MLFLOW_STEPS:
            self._record_failure(message)
        # Failed before the model was pushed: put the tree back. Later (MLflow failed at
        # record or promote) the retrain itself is done; a rerun resumes from it.
        if self.challenge is not None and where in _BEFORE_PUSHED:
            message = f"{message}; {self._put_back()}"
            self.journal.current = where  # it stopped there, not at the restore step
        return self.finish(RetrainStatus.FAILED, message, error=message)

    def _record_failure(self, message: str) -> None:
        """Best effort: a retrain that failed before any MLflow step is recorded as ``failed``
        (when MLflow itself failed, the state store holds where it stopped)."""
        assert self._mlflow is not None
        try:
            run = runrecord.build(
                self.ws,
                self.job,
                self.facts,
                self.journal.steps,
                RetrainStatus.FAILED,
                None,
                error=message,
            )
            self.facts.run_id = stages.write_failed(self._mlflow, run, message)
            if self.facts.failure is not None:
                log_to_run(self._mlflow.client(), self.facts.run_id, self.facts.failure)
        except Exception as exc:  # the failure stays in the state store either way
            why = tracking_failure(exc, self.ws.tracking.uri) or str(exc)[:200]
            self.say(f"could not record the failure in MLflow: {why}")

    def _announce(
        self, conn: Any, kind: str, status: RetrainStatus, error: str | None = None
    ) -> None:
        links = linking.where(self.ws).links(
            self.model,
            decision_id=self.decision.id,
            run_id=self.facts.run_id,
            version=self.facts.model_version,
        )
        payload = report.announcement(
            self.job, self.model, status, self.facts, self.ws.config.model.metric, error, links
        )
        if status == RetrainStatus.NOTHING_TO_TRAIN and self._unjudged is not None:
            payload["gate_skipped"] = self._unjudged
        outbox.enqueue(
            conn,
            kind,
            payload,
            channel=self.ws.config.slack.channel,
            now=self.ws.clock(),
            thread_key=self.decision.id,
        )
