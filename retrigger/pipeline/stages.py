"""The steps of a retrain, as functions: what a step needs comes in, what it learned comes out.
The runner (retrigger.pipeline.runner) calls them in order, records each and keeps what they
return in the attempt's facts. The MLflow run is opened before ``dvc repro`` (the pipeline logs
into it) and marked successful only after the model was validated and pushed; promotion comes
last (a refused or failed retrain is recorded with that status, never as a successful one)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from retrigger.data.remote import verify_on_remote
from retrigger.data.versions import data_version, versions
from retrigger.errors import BadInput, WorkFailed
from retrigger.gitutil import head_commit
from retrigger.lineage import description, tags
from retrigger.lineage.in_use import newest_number
from retrigger.lineage.status import RetrainStatus
from retrigger.metrics_file import read_metric
from retrigger.pipeline import compare, registry, runrecord
from retrigger.pipeline import record as mlrecord
from retrigger.pipeline.candidate import NOT_LOADABLE, Candidate
from retrigger.pipeline.challenge import Challenge, find_model, metric_in_run
from retrigger.pipeline.state import AttemptFacts, DataOut, Job, Outputs, Promotion
from retrigger.pipeline.validation import Verdict

if TYPE_CHECKING:
    from retrigger.workspace import Workspace

MLFLOW_STEPS = frozenset({"validate", "record", "promote", "hold"})


def metric_before(ws: Workspace, mlflow: mlrecord.Warm) -> float | None:
    """The metric of the model in use, before the first repro (once per decision)."""
    model = ws.config.model
    if model.metrics_file:
        try:
            return read_metric(ws.root / model.metrics_file, model.metric, ws.root)
        except BadInput:
            return None  # nothing measured yet: the gate falls back to the champion's run
    mlflow.client()
    found = newest_number(ws.tracking, model.name, ws.config.pipeline.champion_alias, model.metric)
    return found.value if found is not None else None


def outputs(
    ws: Workspace, command: str, challenge: Challenge, attempt_id: str
) -> tuple[Candidate, Outputs]:
    """The model to promote, the metric the pipeline measured, the data it trained on."""
    model = ws.config.model
    root = ws.root
    candidate = find_model(ws, challenge, attempt_id)
    if candidate.requirements:  # which pip requirements retrigger derived, and from what
        ws.tracking.client.set_tag(
            challenge.run_id, tags.REQUIREMENTS, candidate.requirements[:5000]
        )
    if model.metrics_file:
        path = root / model.metrics_file
        if not path.is_file():
            raise WorkFailed(
                f"metrics file {path} is missing after `{command}`; the pipeline "
                "must write it (model.metrics_file)"
            )
        try:
            after = read_metric(path, model.metric, root)
        except BadInput as exc:
            raise WorkFailed(str(exc)) from None
    else:  # what the pipeline logged into the retrain run, else its newest run with the metric
        logged = metric_in_run(ws, challenge.run_id)
        run = ws.tracking.latest_with_metric(model.metric) if logged is None else None
        if logged is None and run is None:
            raise WorkFailed(f"no MLflow run logged {model.metric!r} after `{command}`")
        after = logged if logged is not None else run.metrics[model.metric]  # type: ignore[union-attr]
    outs = versions(root, ws.config.data) if ws.config.data else []
    return candidate, Outputs(
        after,
        head_commit(root),
        data_version(outs) if outs else None,
        [DataOut(o.path, o.md5, o.size, o.nfiles) for o in outs],
    )


def validate(
    ws: Workspace, decision_id: str, candidate: Candidate, outputs: Outputs, run_id: str
) -> Verdict:
    """Is the challenger better than the champion (or, before one, the baseline)? The numbers
    and where they come from: ``retrigger.pipeline.compare``. Both are logged on the run."""
    judged = compare.gate(ws, decision_id, candidate, outputs.metric_after, outputs.data_version)
    if judged.logged:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        ws.tracking.client.log_batch(
            run_id,
            metrics=[Metric(key, value, now, 0) for key, value in sorted(judged.logged.items())],
        )
    return judged.verdict


def verify_pushed(ws: Workspace, timeout: float | None) -> None:
    """After ``dvc push``: the remote holds the model and every data path."""
    config = ws.config
    paths = [p for p in (config.model.artifact, *config.data) if p]
    try:
        verify_on_remote(ws.root, paths, timeout=timeout)
    except BadInput as exc:  # after a retrain, an object nobody can push is a failure
        raise WorkFailed(str(exc)) from None


def promote(
    ws: Workspace,
    mlflow: mlrecord.Warm,
    job: Job,
    facts: AttemptFacts,
    candidate: Candidate,
) -> tuple[Promotion, str]:
    """Register the challenger (or tag the version the pipeline registered) and move the
    champion alias to it; the message says so, and says when it will not load with pyfunc."""
    assert facts.outputs is not None and facts.run_id is not None
    outputs, run_id = facts.outputs, facts.run_id
    model, alias = ws.config.model.name, ws.config.pipeline.champion_alias
    client = mlflow.client()
    version, previous = registry.promote(
        client,
        model,
        alias,
        run_id,
        job.decision.id,
        {
            tags.TRIGGER_TYPES: ",".join(job.decision.trigger_types),
            tags.DATA_VERSION: str(outputs.data_version or ""),
            **runrecord.people_tags(job),
        },
        source=candidate.source,
        adopted=candidate.version,
        model_id=candidate.model_id,
        stage=ws.config.pipeline.champion_stage,
        description=version_text(ws, job, facts, RetrainStatus.PROMOTED),
    )
    mlrecord.set_status(
        client,
        run_id,
        RetrainStatus.PROMOTED,
        {tags.MODEL_VERSION: version, tags.PREVIOUS_CHAMPION: previous or ""},
        name=description.run_name(job.decision.id, RetrainStatus.PROMOTED),
    )
    if ws.config.pipeline.promote_sets_baseline:
        _become_baseline(ws, mlflow, run_id, outputs.metric_after)
    return Promotion(version, previous), _promoted(ws, version, previous, candidate)


def _promoted(ws: Workspace, version: str, previous: str | None, candidate: Candidate) -> str:
    """What a promotion says: the version, the alias (and stage), the champion it replaced."""
    model, alias = ws.config.model.name, ws.config.pipeline.champion_alias
    return (
        f"promoted {model} v{version} to @{alias}"
        + (f" and stage {stage}" if (stage := ws.config.pipeline.champion_stage) else "")
        + (f" (was v{previous})" if previous else "")
        + ("" if candidate.loadable else f"; note: {candidate.kind}: {NOT_LOADABLE}")
    )


def version_text(ws: Workspace, job: Job, facts: AttemptFacts, status: RetrainStatus) -> str:
    """The description of the registry version this retrain creates: why it exists."""
    assert facts.run_id is not None
    story = runrecord.story(job, facts, status, ws.config.model.metric)
    return description.version_description(job.decision, story, facts.run_id)


def _become_baseline(ws: Workspace, mlflow: mlrecord.Warm, run_id: str, after: float) -> None:
    """The promoted model is the new reference: ``max_drop`` is now measured from its metric,
    so the bar rises with the model (and later drift/volume compare against its data)."""
    metric = ws.config.model.metric
    mlflow.client().log_metric(run_id, metric, after)
    ws.tracking.set_baseline(run_id, metric)


def write_failed(mlflow: mlrecord.Warm, record: mlrecord.RunRecord, message: str) -> str:
    """Record a retrain that failed before any MLflow step as a ``failed`` run; its id."""
    client = mlflow.client()
    record.tags[tags.ERROR] = message[:500]
    run_id = mlrecord.write(client, mlflow.experiment_id(), record, finished=False)
    mlrecord.terminate(client, run_id, "FAILED")
    return run_id
