"""The MLflow run of a retrain as it stands, built from the decision and the attempt's facts:
its tags, params (as their author wrote them), metrics, data inputs, description and name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrigger.config import written
from retrigger.lineage import description, tags
from retrigger.lineage.status import RetrainStatus
from retrigger.pipeline import record as mlrecord
from retrigger.pipeline.pair import pair
from retrigger.pipeline.state import AttemptFacts, Job
from retrigger.units import format as fmt

if TYPE_CHECKING:
    from pathlib import Path

    from retrigger.decision import Decision
    from retrigger.store.attempts import Step
    from retrigger.workspace import Workspace


def build(
    ws: Workspace,
    job: Job,
    facts: AttemptFacts,
    steps: list[Step],
    status: RetrainStatus,
    model_path: Path | None,
    error: str | None = None,
) -> mlrecord.RunRecord:
    """The MLflow run of this retrain as it stands: tags, params, metrics, data, documents."""
    decision, config, out = job.decision, ws.config, facts.outputs
    commit = (out.git_commit if out else None) or decision.git_commit
    run_tags = _tags(ws, job, facts, status, commit)
    data = out.data if out else []
    metric = config.model.metric
    # "before → after" is the gate's pair once it judged; `metric` stays the pipeline's own,
    # so a promoted run keeps what it measured (the newest number of the model in use).
    numbers = pair(facts, metric)
    if numbers.on:
        run_tags[tags.COMPARED_ON] = f"{numbers.metric}: {numbers.on}"[:5000]
    metrics = {
        f"{metric}_before": numbers.before,
        f"{metric}_after": numbers.after,
        metric: facts.metric_after,
    }
    metrics.update({f"retrigger.seconds.{s.name}": s.seconds for s in steps if s.seconds})
    _explain_in_ui(run_tags, metrics, job, story(job, facts, status, metric, error))
    return mlrecord.RunRecord(
        decision_id=decision.id,
        run_name=description.run_name(decision.id, status),
        tags=run_tags,
        params=_params(ws, job),
        metrics={k: float(v) for k, v in metrics.items() if v is not None},
        inputs=[
            mlrecord.DataInput(d.path, str(d.md5), commit, d.size, d.files) for d in data if d.md5
        ],
        model_path=model_path,
        files=_drift_report(ws, job),
        documents={
            "decision.json": {
                "decision": decision.as_json(),
                "requested_by": job.requested_by,
                "reason": decision.reason,
                "approved_by": job.approved_by,
                "facts": facts.as_json(),
            }
        },
    )


def _tags(
    ws: Workspace, job: Job, facts: AttemptFacts, status: RetrainStatus, commit: str | None
) -> dict[str, str]:
    """Who, why and on what: the tags `history`, `explain` and the MLflow UI read."""
    decision, out = job.decision, facts.outputs
    run_tags = {
        tags.RETRAIN: "true",
        tags.DECISION_ID: decision.id,
        tags.STATUS: str(status),
        tags.TRIGGER_TYPES: ",".join(decision.trigger_types),
        tags.ATTEMPT_ID: job.attempt_id,
        tags.REQUESTED_BY: job.requested_by,
        tags.CHAMPION_ALIAS: ws.config.pipeline.champion_alias,
        **people_tags(job),
    }
    optional = {
        tags.GIT_COMMIT: commit,
        tags.MLFLOW_GIT_COMMIT: commit,
        tags.DATA_VERSION: out.data_version if out else _untrained_data(decision, status),
        tags.APPROVED_BY: job.approved_by,
        tags.REASON: decision.reason,
        tags.VALIDATION: facts.validation.reason if facts.validation else None,
        tags.INCOMPARABLE: facts.validation.incomparable if facts.validation else None,
        tags.REPRO: facts.repro.describe() if facts.repro and facts.repro.finished else None,
    }
    run_tags.update({k: str(v) for k, v in optional.items() if v})
    data = out.data if out else []
    run_tags.update({tags.DATA_PATH_PREFIX + d.path: str(d.md5) for d in data})
    return run_tags


def _untrained_data(decision: Decision, status: RetrainStatus) -> str | None:
    """The data a repro that ran no stage left as it was: what ``check`` holds from now on."""
    return decision.data_version if status == RetrainStatus.NOTHING_TO_TRAIN else None


def _explain_in_ui(
    run_tags: dict[str, str],
    metrics: dict[str, float | None],
    job: Job,
    story: description.RetrainFacts,
) -> None:
    """MLflow's Description, Created by and per-column drift charts for this retrain."""
    run_tags[description.NOTE_TAG] = description.describe(job.decision, story)[:8000]
    if job.requested_by:  # the name people know; the raw id stays in retrigger.requested_by
        run_tags[description.USER_TAG] = job.names.get(job.requested_by, job.requested_by)
    metrics.update(description.drift_metrics(job.decision))


def story(
    job: Job,
    facts: AttemptFacts,
    status: RetrainStatus,
    metric: str,
    error: str | None = None,
) -> description.RetrainFacts:
    data = facts.outputs.data if facts.outputs else []
    return description.RetrainFacts(
        metric=metric,
        requested_by=job.requested_by,
        approved_by=job.approved_by,
        validation=facts.validation.as_json() if facts.validation else None,
        data=[{"path": d.path, "md5": d.md5} for d in data],
        status=str(status),
        error=error,
        failure_lines=list(facts.failure.lines) if facts.failure else [],
        names=job.names,
        data_version=facts.outputs.data_version if facts.outputs else None,
    )


def people_tags(job: Job) -> dict[str, str]:
    """Display names beside the raw ids (``retrigger.requested_by`` keeps the id)."""
    found = {
        tags.REQUESTED_BY_NAME: job.names.get(job.requested_by),
        tags.APPROVED_BY_NAME: job.names.get(job.approved_by or ""),
    }
    return {key: value for key, value in found.items() if value}


def _params(ws: Workspace, job: Job) -> dict[str, str]:
    """The thresholds in force, as their author wrote them (``7d`` stays ``7d``)."""
    raw = written.flatten(dict(ws.loaded.raw))
    flat = (
        written.as_written(written.flatten(job.decision.config), raw) if job.decision.config else {}
    )
    params = {key: _param(value) for key, value in flat.items() if value not in (None, {})}
    pipeline = ws.config.pipeline
    params.update(
        {
            "pipeline.champion_alias": pipeline.champion_alias,
            "pipeline.min_improvement": _param(pipeline.min_improvement),
            "pipeline.min_relative_improvement": _param(pipeline.min_relative_improvement),
            "pipeline.command": pipeline.command,
        }
    )
    for reading in job.decision.readings:
        if reading.threshold is not None:
            params[f"threshold.{reading.kind}"] = _param(reading.threshold)
    return params


def _param(value: object) -> str:
    """A computed float (``0.95 × 0.8875`` = ``0.8431249999999999``) to the 4 significant
    digits its inputs carry (fmt.DIGITS); the exact number is in ``retrigger/decision.json``."""
    if isinstance(value, float) and not value.is_integer():
        rounded = float(f"{value:.{fmt.DIGITS}g}")
        text = repr(rounded)
        return text if "e" not in text else f"{value:.{fmt.DIGITS}g}"
    if isinstance(value, float):
        return str(int(value))
    return str(value)


def _drift_report(ws: Workspace, job: Job) -> list[Path]:
    trigger_types = job.decision.trigger_types
    if "drift" not in trigger_types and "manual" not in trigger_types:
        return []
    for reading in job.decision.readings:
        name = (
            reading.extra.get("report_html") if reading.kind == "drift" and reading.fired else None
        )
        if isinstance(name, str) and (ws.root / name).is_file():
            return [ws.root / name]
    return []
