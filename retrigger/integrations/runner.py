"""Run retrigger's own CLI from an orchestrator task, and read approvals from the state store.

Orchestrators (Airflow, and anything else that runs Python tasks) call the same ``retrigger check``
and ``retrigger run`` a GitHub job or a CronJob runs, in a subprocess: the decision code is the
one the CLI runs, and the orchestrator's parser never imports mlflow or dvc. Only the approval
sensor reads the state store in-process, because it polls, and a poll must be cheap.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrigger.errors import BadInput, LockHeld, WorkFailed
from retrigger.lineage.status import RetrainStatus
from retrigger.proc import run

DEFAULT_COMMAND: tuple[str, ...] = (sys.executable, "-m", "retrigger")


@dataclass(frozen=True)
class CheckOutcome:
    """What the check task hands to the next tasks (JSON-serialisable for XCom)."""

    decision_id: str
    fire: bool
    trigger_types: list[str]
    awaiting_approval: bool = False

    def as_xcom(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "fire": self.fire,
            "trigger_types": self.trigger_types,
            "awaiting_approval": self.awaiting_approval,
        }


@dataclass(frozen=True)
class RetriggerCli:
    """The ``retrigger`` command of one project, as an orchestrator task runs it."""

    project_dir: Path
    config: Path | None = None
    command: Sequence[str] = field(default=DEFAULT_COMMAND)
    timeout: float | None = None

    def check(self) -> CheckOutcome:
        """``retrigger check --json``; when it fires and the policy wants a person's yes, ask
        for it (``retrigger run`` stores a pending approval and returns without retraining)."""
        decision = self._json("check")
        outcome = CheckOutcome(
            str(decision["decision_id"]),
            bool(decision["fire"]),
            [str(t) for t in decision.get("trigger_types", [])],
        )
        if outcome.fire and self.approval_required():
            asked = self._json("run", "--decision", outcome.decision_id)
            # Anything but "awaiting-approval" means an earlier approval let it run already;
            # the retrain task's rerun of the same decision then changes nothing.
            waiting = asked.get("status") == RetrainStatus.AWAITING_APPROVAL
            return CheckOutcome(outcome.decision_id, True, outcome.trigger_types, waiting)
        return outcome

    def approval_required(self) -> bool:
        from retrigger.config import load_config

        return load_config(self._config_path()).config.policy.approval == "required"

    def retrain(self, decision_id: str) -> dict[str, Any]:
        """``retrigger run --decision ID --json``: the retrain, gated and recorded by the engine."""
        return self._json("run", "--decision", decision_id)

    def approval_state(self, decision_id: str) -> str | None:
        """The stored approval status of a decision (pending, approved, ...), or None."""
        from retrigger.store import approvals
        from retrigger.workspace import Workspace

        workspace = Workspace.load(self._config_path())
        try:
            with workspace.store.transaction() as conn:
                found = approvals.for_decision(conn, decision_id)
        finally:
            workspace.store.close()
        return found.status if found is not None else None

    def _config_path(self) -> Path:
        return self.config if self.config is not None else self.project_dir / "retrigger.yaml"

    def _json(self, *args: str) -> dict[str, Any]:
        config = ["--config", str(self._config_path())]
        result = run(
            [*self.command, *args, *config, "--json"],
            self.project_dir,
            check=False,
            timeout=self.timeout,
        )
        if result.returncode != 0:
            raise _error(result.returncode, args, result.stderr)
        try:
            parsed = json.loads(result.stdout)
        except json.JSONDecodeError:
            raise WorkFailed(
                f"`retrigger {args[0]} --json` printed no JSON document: {result.stdout[:200]!r}"
            ) from None
        if not isinstance(parsed, dict):
            raise WorkFailed(
                f"`retrigger {args[0]} --json` printed {type(parsed).__name__}, expected an object"
            )
        return parsed


def _error(code: int, args: Sequence[str], stderr: str) -> Exception:
    last = (stderr.strip().splitlines() or ["no message"])[-1]
    message = f"`retrigger {' '.join(args)}` exited {code}: {last}"
    if code == LockHeld.exit_code:
        return LockHeld(message)
    if code == BadInput.exit_code:
        return BadInput(message)
    return WorkFailed(message)
