"""An attempt's state and how it ends: the facts it keeps, the restore step, its MLflow run,
and the ending recorded in the state store, the audit log and the outbox (``finish``,
``_failed``). The step sequence (retrigger.pipeline.sequence) and the attempt's setup
(retrigger.pipeline.runner) build on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from retrigger.decision import Decision
from retrigger.lineage.failures import tracking_failure
from retrigger.lineage.status import RetrainStatus
from retrigger.notify import linking
from retrigger.pipeline import facts as report
from retrigger.pipeline import runrecord, stages
from retrigger.pipeline.challenge import Challenge, note_restored, put_back
from retrigger.pipeline.failure_tail import log_to_run, mask, process_secrets
from retrigger.pipeline.journal import Journal
from retrigger.pipeline.outcome import Outcome
from retrigger.pipeline.record import Warm, write
from retrigger.pipeline.state import AttemptFacts, Job
from retrigger.store import attempts, outbox
from retrigger.store.audit import record
from retrigger.workspace import Workspace

Say = Callable[[str], None]
# Endings that stopped nowhere: every step they needed ran.
_FINISHED = frozenset({RetrainStatus.PROMOTED, RetrainStatus.NOTHING_TO_TRAIN})
# Steps before the model was pushed: a failure there puts the work tree back.
_BEFORE_PUSHED = frozenset({"repro", "outputs", "validate", "load", "push"})


class Ending:
    """What one attempt of ``decision`` knows, and how it records its end."""

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

    def _failed(self, message: str, tracking_answered: bool = False) -> Outcome:
        """``tracking_answered``: retrigger itself refused (no MLflow call failed), so a failure
        at validate — a model that cannot score the validation rows — is recorded on the run
        the pipeline may already have ended as FINISHED."""
        # The cause travels: the failed command's last lines, masked like its message.
        message = mask(message, process_secrets())
        self.facts.failure = self.journal.failure
        where = self.journal.current  # the step that failed, before the restore step runs
        if where is not None and (
            where not in stages.MLFLOW_STEPS or (tracking_answered and where == "validate")
        ):
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
