"""Turning what an attempt learned into what is reported: the outcome of ``retrigger run``, the
outbox payload of a retrain event, the audit detail of its end."""

from __future__ import annotations

from typing import Any

from retrigger.decision import Decision
from retrigger.lineage.status import RetrainStatus
from retrigger.pipeline.outcome import Outcome, failed_exit
from retrigger.pipeline.pair import pair
from retrigger.pipeline.state import AttemptFacts, Job
from retrigger.store import outbox
from retrigger.store.attempts import Attempt, Step


def outcome(
    job: Job,
    status: RetrainStatus,
    message: str,
    facts: AttemptFacts,
    metric: str,
    steps: list[Step],
) -> Outcome:
    return _from_facts(
        job.decision.id,
        status,
        message,
        facts,
        metric,
        job.attempt_id,
        [step.as_json() for step in steps],
        resumed=facts.resumed,
    )


def already_done(decision: Decision, attempt: Attempt, metric: str) -> Outcome:
    facts = AttemptFacts.from_json(attempt.facts)
    what = (
        f"promoted v{facts.model_version}"
        if attempt.status == RetrainStatus.PROMOTED
        else attempt.status
    )
    message = (
        f"decision {decision.id} was already executed by attempt {attempt.id} "
        f"({what}); nothing to do. Run `retrigger check` for a new decision"
    )
    found = _from_facts(
        decision.id,
        RetrainStatus(attempt.status),
        message,
        facts,
        metric,
        attempt.id,
        [step.as_json() for step in attempt.steps],
        resumed=False,
    )
    found.already_done = True
    return found


def _from_facts(
    decision_id: str,
    status: RetrainStatus,
    message: str,
    facts: AttemptFacts,
    metric: str,
    attempt_id: str,
    steps: list[dict[str, object]],
    resumed: bool,
) -> Outcome:
    numbers = pair(facts, metric)
    return Outcome(
        decision_id=decision_id,
        status=status,
        message=message,
        exit_code=failed_exit(status),
        attempt_id=attempt_id,
        run_id=facts.run_id,
        model_version=facts.model_version,
        metric=numbers.metric,
        metric_before=numbers.before,
        metric_after=numbers.after,
        compared_on=numbers.on,
        validation=facts.validation.as_json() if facts.validation else None,
        steps=steps,
        resumed=resumed,
    )


_ENDINGS = {
    RetrainStatus.PROMOTED: outbox.RETRAIN_SUCCEEDED,
    RetrainStatus.REJECTED: outbox.RETRAIN_REJECTED,
    RetrainStatus.BUSY: outbox.RETRAIN_BUSY,
    RetrainStatus.NOTHING_TO_TRAIN: outbox.RETRAIN_NOTHING_TO_TRAIN,
    RetrainStatus.HELD: outbox.RETRAIN_HELD,
}


def outbox_kind(status: RetrainStatus) -> str:
    """The outbox message a retrain's end sends (any other ending is a failure)."""
    return _ENDINGS.get(status, outbox.RETRAIN_FAILED)


def announcement(
    job: Job,
    model: str,
    status: RetrainStatus,
    facts: AttemptFacts,
    metric: str,
    error: str | None,
    links: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The outbox payload of a retrain event (started, succeeded, rejected, failed)."""
    numbers = pair(facts, metric)
    return {
        "model": model,
        "decision_id": job.decision.id,
        "status": status,
        "trigger_types": list(job.decision.trigger_types),
        "metric": numbers.metric,
        "metric_before": numbers.before,
        "metric_after": numbers.after,
        "compared_on": numbers.on,
        "run_id": facts.run_id,
        "version": facts.model_version,
        "error": error,
        "requested_by": job.requested_by,
        "attempt_id": job.attempt_id,
        "repro": facts.repro.describe() if facts.repro else None,
        # The failed command's last lines, masked, and where its whole log is.
        "output_tail": facts.failure.lines if facts.failure else None,
        "log_path": facts.failure.log_path if facts.failure else None,
        "output_step": facts.failure.step if facts.failure else None,
        "links": links or {},
        # What the gate compared (challenger, champion and its version, rows), when it ran.
        "verdict": facts.validation.as_json() if facts.validation else None,
    }


def ending(job: Job, facts: AttemptFacts, error: str | None) -> dict[str, Any]:
    """The audit detail of a retrain's end."""
    return {
        "attempt_id": job.attempt_id,
        "error": error,
        "run_id": facts.run_id,
        "version": facts.model_version,
    }
