"""The challenger's side of a retrain: the retrain run opened before ``dvc repro`` (shared with
the pipeline through the environment), the model found after it, and — when it is not promoted
— the work tree put back and a version the pipeline registered marked as refused."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retrigger.errors import BadInput
from retrigger.lineage import tags
from retrigger.lineage.description import run_name
from retrigger.lineage.failures import tracking_failure
from retrigger.lineage.status import RetrainStatus
from retrigger.pipeline import candidate as found
from retrigger.pipeline import record, registry, restore
from retrigger.pipeline.candidate import Candidate

if TYPE_CHECKING:
    from retrigger.decision import Decision
    from retrigger.workspace import Workspace


@dataclass
class Challenge:
    """What a retrain attempt knows about its challenger, in the order it learns it."""

    run_id: str
    experiment_id: str
    env: dict[str, str]  # exported to the stage commands
    before: dict[str, str] = field(default_factory=dict)  # git status before dvc repro
    candidate: Candidate | None = None


def open_challenge(
    ws: Workspace,
    experiment_id: str,
    decision: Decision,
    attempt_id: str,
    requested_by: str,
    started_ms: int | None = None,  # when the run starts (default: when MLflow creates it)
) -> Challenge:
    run_tags = {
        tags.RETRAIN: "true",
        tags.DECISION_ID: decision.id,
        tags.STATUS: str(RetrainStatus.RUNNING),
        tags.ATTEMPT_ID: attempt_id,
        tags.TRIGGER_TYPES: ",".join(decision.trigger_types),
        tags.REQUESTED_BY: requested_by,
    }
    client = ws.tracking.client
    run_id = record.open_run(
        client, experiment_id, decision.id, run_name(decision.id), run_tags, started_ms
    )
    env = record.stage_env(ws.tracking.uri, experiment_id, ws.tracking.experiment, run_id)
    return Challenge(run_id, experiment_id, env, restore.dirty(ws.root))


def find_model(ws: Workspace, challenge: Challenge, attempt_id: str) -> Candidate:
    workdir = ws.root / restore.CHALLENGERS / attempt_id
    challenge.candidate = found.find(
        ws.tracking.client,
        challenge.experiment_id,
        challenge.run_id,
        ws.config.model,
        ws.root,
        workdir,
        _project_python(ws),
        lambda: validation_features(ws),
    )
    return challenge.candidate


def _project_python(ws: Workspace) -> str:
    """The interpreter the stages ran with (it loads the model they wrote), else retrigger's."""
    python = ws.interpreter.python
    return python if python != "unknown" else sys.executable


def validation_features(ws: Workspace) -> Any:
    """The validation rows without their target (a DataFrame), or None without readable rows."""
    validation = ws.config.scored_validation
    if validation is None:
        return None
    from retrigger.evaluation import scoring

    try:
        return scoring.read_labelled(ws.root, validation).features
    except BadInput:  # the gate reads them again and says what is wrong
        return None


def metric_in_run(ws: Workspace, run_id: str) -> float | None:
    """``model.metric`` as the pipeline logged it into the retrain run, if it did."""
    value = ws.tracking.client.get_run(run_id).data.metrics.get(ws.config.model.metric)
    return float(value) if value is not None and math.isfinite(value) else None


def put_back(ws: Workspace, challenge: Challenge, attempt_id: str, keep: bool = True) -> str:
    """Restore the committed tree; the challenger's files (``keep``: the model, metrics and
    ``dvc.lock`` even when git sees no change) stay under .retrigger/."""
    model = ws.config.model
    files = [p for p in (model.artifact, model.metrics_file, "dvc.lock") if p] if keep else []
    return restore.restore(ws.root, challenge.before, files, attempt_id).describe()


def note_restored(ws: Workspace, challenge: Challenge, restored: str) -> str | None:
    """Say on the retrain run what was put back; what went wrong when MLflow would not."""
    try:
        ws.tracking.client.set_tag(challenge.run_id, tags.RESTORED, restored[:5000])
    except Exception as exc:  # MLflow down: the state store and the output still say it
        shown = tracking_failure(exc, ws.tracking.uri) or str(exc)[:200]
        return f"could not tag the MLflow run with what was restored: {shown}"
    return None


def refused(ws: Workspace, challenge: Challenge, decision_id: str) -> None:
    """Log a refused challenger into its run (it keeps its artifacts) and mark a version the
    pipeline registered as refused: it never gets the alias."""
    candidate = challenge.candidate
    if candidate is None:
        return
    client = ws.tracking.client
    if candidate.version is not None:
        registry.mark_rejected(client, ws.config.model.name, candidate.version, decision_id)
    else:
        found.log(client, challenge.run_id, candidate)
