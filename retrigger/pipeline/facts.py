"""Turning what an attempt learned into the outcome ``retrigger run`` reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrigger.decision import Decision
from retrigger.pipeline.outcome import Outcome, failed_exit
from retrigger.store.attempts import Attempt

if TYPE_CHECKING:
    from retrigger.pipeline.runner import Retrain


def outcome(retrain: Retrain, status: str, message: str, exit_code: int) -> Outcome:
    return _from_facts(retrain.decision.id, status, message, exit_code, retrain.facts,
                       retrain.ws.config.model.metric, retrain.attempt_id,
                       [step.as_json() for step in retrain.steps],
                       resumed=bool(retrain.facts.get("resumed")))


def already_done(decision: Decision, attempt: Attempt, metric: str) -> Outcome:
    version = attempt.facts.get("model_version")
    what = f"promoted v{version}" if attempt.status == "promoted" else attempt.status
    message = (f"decision {decision.id} was already executed by attempt {attempt.id} "
               f"({what}); nothing to do. Run `retrigger check` for a new decision")
    found = _from_facts(decision.id, attempt.status, message, failed_exit(attempt.status),
                        attempt.facts, metric, attempt.id,
                        [step.as_json() for step in attempt.steps], resumed=False)
    found.already_done = True
    return found


def _from_facts(decision_id: str, status: str, message: str, exit_code: int,
                facts: dict[str, Any], metric: str, attempt_id: str,
                steps: list[dict[str, object]], resumed: bool) -> Outcome:
    return Outcome(
        decision_id=decision_id, status=status, message=message, exit_code=exit_code,
        attempt_id=attempt_id, run_id=facts.get("run_id"),
        model_version=facts.get("model_version"), metric=metric,
        metric_before=facts.get("metric_before"), metric_after=facts.get("metric_after"),
        validation=facts.get("validation"), steps=steps, resumed=resumed,
    )
