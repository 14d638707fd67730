"""What ``retrigger run`` reports: one outcome per decision it acted on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retrigger.errors import EXIT_OK, EXIT_WORK_FAILED
from retrigger.lineage import status as statuses


@dataclass
class Outcome:
    decision_id: str
    status: statuses.RetrainStatus
    message: str
    exit_code: int = EXIT_OK
    attempt_id: str | None = None
    approval_id: str | None = None
    run_id: str | None = None
    model_version: str | None = None
    metric: str | None = None
    metric_before: float | None = None
    metric_after: float | None = None
    compared_on: str | None = None  # what before and after were measured on (pipeline.pair)
    validation: dict[str, Any] | None = None
    steps: list[dict[str, object]] = field(default_factory=list)
    resumed: bool = False  # this attempt continued an earlier attempt at the same decision
    already_done: bool = False  # an earlier attempt finished the decision; nothing was run
    plan: dict[str, Any] | None = None  # --dry-run only

    def as_json(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "status": self.status,
            "message": self.message,
            "exit_code": self.exit_code,
            "attempt_id": self.attempt_id,
            "approval_id": self.approval_id,
            "run_id": self.run_id,
            "model_version": self.model_version,
            "metric": self.metric,
            "metric_before": self.metric_before,
            "metric_after": self.metric_after,
            "compared_on": self.compared_on,
            "validation": self.validation,
            "steps": self.steps,
            "resumed": self.resumed,
            "already_done": self.already_done,
            "plan": self.plan,
        }


def failed_exit(status: statuses.RetrainStatus) -> int:
    return EXIT_OK if status in statuses.EXIT_OK else EXIT_WORK_FAILED
