"""The step sequence of an attempt: pull, repro, outputs, validate, load, push, record,
promote — and the three ways it stops early (nothing to train, held, refused). Each step is
recorded by the journal and its result kept in the attempt's facts; the step functions
themselves are in retrigger.pipeline.stages."""

from __future__ import annotations

from retrigger.errors import DvcBusy, Interrupted, LockHeld, RetriggerError
from retrigger.lineage.failures import tracking_failure
from retrigger.lineage.status import RetrainStatus
from retrigger.pipeline import incomparable, load_check, stages
from retrigger.pipeline.candidate import Candidate
from retrigger.pipeline.candidate import log as log_model
from retrigger.pipeline.challenge import Challenge, open_challenge, put_back, refused
from retrigger.pipeline.ending import Ending
from retrigger.pipeline.force import for_decision as plan_repro
from retrigger.pipeline.outcome import Outcome
from retrigger.pipeline.record import Warm
from retrigger.pipeline.repro_report import ReproReport, is_dvc_repro
from retrigger.pipeline.state import Outputs
from retrigger.pipeline.unjudged import nothing_compared
from retrigger.pipeline.validation import Verdict


class StepSequence(Ending):
    """Runs the steps in order; an exception ends the attempt where it stopped."""

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
            return self._failed(str(exc), tracking_answered=True)
        except Exception as exc:  # MLflow or the network: record where it stopped
            where = self.journal.current or "start"
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            text = tracking_failure(exc, self.ws.tracking.uri) or text[:300]
            return self._failed(
                f"step {where} failed: {text}; fix it and rerun "
                f"`retrigger run --decision {self.decision.id}` to resume"
            )

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
        challenge, repro = self._repro(command, mlflow, timeout)
        if repro.trained_nothing and not self.repro_ran_before:
            return self._nothing_to_train(mlflow, repro)
        candidate, outputs, verdict = self._judge(command, challenge)
        if verdict.held:
            return self._held(mlflow, challenge, candidate, outputs)
        if not verdict.passed:
            return self._rejected(mlflow, challenge, verdict)
        return self._promote(mlflow, candidate, verdict, timeout)

    def _repro(
        self, command: list[str], mlflow: Warm, timeout: float | None
    ) -> tuple[Challenge, ReproReport]:
        """The repro step: the retrain run opened, then the pipeline run (forced when asked)."""
        facts = self.facts
        with self.journal.step("repro") as box:
            # The run exists before the pipeline does: its duration is the retrain's, and the
            # pipeline's own mlflow.start_run() resumes it (MLFLOW_RUN_ID in the stage's env).
            self.challenge = challenge = open_challenge(
                self.ws,
                mlflow.experiment_id(),
                self.decision,
                self.attempt_id,
                self.job.requested_by,
                started_ms=box.started_ms,
            )
            # A manual decision forces training, unless an earlier attempt's repro did.
            repro = plan_repro(self.ws, self.decision, command, resumed=self.repro_done_before)
            if repro.note or repro.forced:
                self.say(repro.note or f"forcing {', '.join(repro.forced)}: {repro.shown}")
            facts.run_id, facts.repro = challenge.run_id, ReproReport(forced=repro.forced)
            found = facts.repro
            self.save_facts()
            watch = found.see if all(map(is_dvc_repro, repro.commands)) else None
            for args in repro.commands:
                self.journal.stream(args, timeout, env=challenge.env, watch=watch)
            self.save_facts()
            box.detail = found.describe() if watch else repro.note
        return challenge, found

    def _judge(
        self, command: list[str], challenge: Challenge
    ) -> tuple[Candidate, Outputs, Verdict]:
        """The outputs, validate and (when wanted) load steps: the candidate and its verdict."""
        ws, facts = self.ws, self.facts
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
        return candidate, outputs, verdict

    def _promote(
        self, mlflow: Warm, candidate: Candidate, verdict: Verdict, timeout: float | None
    ) -> Outcome:
        """The push, record and promote steps of a challenger validation passed."""
        ws, facts = self.ws, self.facts
        if ws.config.pipeline.push:
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

    def _rejected(self, mlflow: Warm, challenge: Challenge, verdict: Verdict) -> Outcome:
        """Validation refused the challenger: its run recorded as refused, the tree put back."""
        with self.journal.step("record"):
            self._record(mlflow, RetrainStatus.REJECTED, finished=True)
        refused(self.ws, challenge, self.decision.id)
        restored = self._put_back()
        return self.finish(
            RetrainStatus.REJECTED,
            f"validation refused promotion: {verdict.reason}; {restored}",
        )

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
