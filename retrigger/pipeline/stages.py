"""The steps of a retrain, in order. Promotion comes last; the MLflow run is written only after
the model was validated and pushed (a refused or failed retrain is recorded with that status,
never as a successful one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrigger.data.versions import data_version, versions
from retrigger.errors import BadInput, WorkFailed
from retrigger.gitutil import head_commit
from retrigger.lineage import tags
from retrigger.metrics_file import read_metric
from retrigger.pipeline import record as mlrecord
from retrigger.pipeline import registry
from retrigger.pipeline.validation import Rules, Verdict, judge

if TYPE_CHECKING:
    from pathlib import Path

    from retrigger.pipeline.outcome import Outcome
    from retrigger.pipeline.runner import Retrain

MLFLOW_STEPS = frozenset({"validate", "record", "promote"})


def run_all(r: Retrain, command: list[str]) -> Outcome:
    pipeline = r.ws.config.pipeline
    timeout = pipeline.stage_timeout.total_seconds() if pipeline.stage_timeout else None
    if pipeline.pull:
        with r.step("pull"):
            r.stream(["dvc", "pull"], timeout)
    if "metric_before" not in r.facts:  # measured once per decision, before the first repro
        r.facts["metric_before"] = _metric_before(r)
        r.save_facts()
    with r.step("repro"):
        r.stream(command, timeout)
    with r.step("outputs") as box:
        model_path = _outputs(r, " ".join(command))
        box.detail = f"{r.ws.config.model.metric}={r.facts['metric_after']:.4g}"
    with r.step("validate") as box:
        verdict = _validate(r)
        r.facts["validation"] = verdict.as_json()
        r.save_facts()
        box.detail = verdict.reason
    if not verdict.passed:
        with r.step("record"):
            _write(r, tags.STATUS_REJECTED, None, finished=True)
        return r.finish(tags.STATUS_REJECTED, f"validation refused promotion: {verdict.reason}")
    if pipeline.push:
        with r.step("push") as box:
            r.push(timeout)
            box.detail = "the remote holds every output"
    with r.step("record") as box:
        _write(r, tags.STATUS_SUCCEEDED, model_path, finished=False)
        box.detail = f"run {r.facts['run_id']}"
    with r.step("promote") as box:
        box.detail = _promote(r)
    return r.finish(tags.STATUS_PROMOTED, f"{box.detail}: {verdict.reason}")


def _metric_before(r: Retrain) -> float | None:
    model = r.ws.config.model
    if model.metrics_file:
        try:
            return read_metric(r.ws.root / model.metrics_file, model.metric)
        except BadInput:
            return None  # nothing measured yet: the gate falls back to the champion's run
    r.tracking_client()
    run = r.ws.tracking.latest_with_metric(model.metric)
    return run.metrics[model.metric] if run is not None else None


def _outputs(r: Retrain, command: str) -> Path:
    """The metric and the model the pipeline must have written; the data it trained on."""
    model = r.ws.config.model
    root = r.ws.root
    if model.metrics_file:
        path = root / model.metrics_file
        if not path.is_file():
            raise WorkFailed(f"metrics file {path} is missing after `{command}`; the pipeline "
                             "must write it (model.metrics_file)")
        try:
            after = read_metric(path, model.metric)
        except BadInput as exc:
            raise WorkFailed(str(exc)) from None
    else:
        r.tracking_client()
        run = r.ws.tracking.latest_with_metric(model.metric)
        if run is None:
            raise WorkFailed(f"no MLflow run logged {model.metric!r} after `{command}`")
        after = run.metrics[model.metric]
    artifact = root / model.artifact
    if not artifact.exists():
        raise WorkFailed(f"model artifact {artifact} is missing after `{command}`; the pipeline "
                         "must write it (model.artifact)")
    outs = versions(root, r.ws.config.data) if r.ws.config.data else []
    r.facts.update(
        metric_after=after, git_commit=head_commit(root),
        data_version=data_version(outs) if outs else None,
        data=[{"path": o.path, "md5": o.md5, "bytes": o.size, "files": o.nfiles} for o in outs])
    r.save_facts()
    return artifact


def _validate(r: Retrain) -> Verdict:
    config = r.ws.config
    model, pipeline = config.model, config.pipeline
    client = r.tracking_client()
    champ = registry.champion(client, model.name, pipeline.champion_alias, model.metric)
    perf = config.signals.performance
    rules = Rules(model.metric, model.greater_is_better, perf.min if perf else None,
                  pipeline.min_improvement, pipeline.min_relative_improvement)
    after = float(r.facts["metric_after"])
    if champ is not None and champ.decision_id == r.decision.id:
        # A crash after the alias moved: this decision's model already is the champion.
        return Verdict(True, f"v{champ.version} of this decision already holds "
                       f"@{pipeline.champion_alias}", model.metric, after, None, champ.version,
                       None, None, rules.floor)
    value: float | None = None
    source: str | None = None
    before = r.facts.get("metric_before")
    if champ is not None and before is not None:
        value, source = float(before), "model in use on the current data"
    elif champ is not None and champ.recorded_metric is not None:
        value, source = champ.recorded_metric, "recorded by its own run, on older data"
    return judge(rules, after, value, champ.version if champ else None, source)


def _promote(r: Retrain) -> str:
    model, alias = r.ws.config.model.name, r.ws.config.pipeline.champion_alias
    client = r.tracking_client()
    run_id = str(r.facts["run_id"])
    version, previous = registry.promote(
        client, model, alias, run_id, r.decision.id,
        {tags.TRIGGER_TYPES: ",".join(r.decision.trigger_types),
         tags.DATA_VERSION: str(r.facts.get("data_version") or "")})
    mlrecord.set_status(client, run_id, tags.STATUS_PROMOTED,
                        {tags.MODEL_VERSION: version, tags.PREVIOUS_CHAMPION: previous or ""})
    if r.ws.config.pipeline.promote_sets_baseline:
        _become_baseline(r, run_id)
    r.facts.update(model_version=version, previous_champion=previous)
    r.save_facts()
    return f"promoted {model} v{version} to @{alias}" + (f" (was v{previous})" if previous else "")


def _become_baseline(r: Retrain, run_id: str) -> None:
    """The promoted model is the new reference: ``max_drop`` is now measured from its metric,
    so the bar rises with the model (and later drift/volume compare against its data)."""
    metric = r.ws.config.model.metric
    r.tracking_client().log_metric(run_id, metric, float(r.facts["metric_after"]))
    r.ws.tracking.set_baseline(run_id, metric)


def _write(r: Retrain, status: str, model_path: Path | None, finished: bool) -> None:
    client = r.tracking_client()
    r.facts["run_id"] = mlrecord.write(client, r.experiment_id(), build(r, status, model_path),
                                       finished)
    r.save_facts()


def record_failure(r: Retrain, message: str) -> None:
    """Best effort: a retrain that failed before any MLflow step is recorded as ``failed``."""
    if r.current in MLFLOW_STEPS or r.current is None:
        return  # MLflow itself failed: the state store holds where it stopped
    try:
        client = r.tracking_client()
        record = build(r, tags.STATUS_FAILED, None)
        record.tags[tags.ERROR] = message[:500]
        run_id = mlrecord.write(client, r.experiment_id(), record, finished=False)
        mlrecord.terminate(client, run_id, "FAILED")
        r.facts["run_id"] = run_id
    except Exception as exc:  # the failure stays in the state store either way
        r.say(f"could not record the failure in MLflow: {str(exc)[:200]}")


def build(r: Retrain, status: str, model_path: Path | None) -> mlrecord.RunRecord:
    decision, facts, config = r.decision, r.facts, r.ws.config
    commit = facts.get("git_commit") or decision.git_commit
    run_tags = {
        tags.RETRAIN: "true", tags.DECISION_ID: decision.id, tags.STATUS: status,
        tags.TRIGGER_TYPES: ",".join(decision.trigger_types), tags.ATTEMPT_ID: r.attempt_id,
        tags.REQUESTED_BY: r.requested_by, tags.CHAMPION_ALIAS: config.pipeline.champion_alias,
    }
    optional = {tags.GIT_COMMIT: commit, tags.MLFLOW_GIT_COMMIT: commit,
                tags.DATA_VERSION: facts.get("data_version"), tags.APPROVED_BY: r.approved_by,
                tags.REASON: decision.reason,
                tags.VALIDATION: (facts.get("validation") or {}).get("reason")}
    run_tags.update({k: str(v) for k, v in optional.items() if v})
    data = facts.get("data") or []
    run_tags.update({tags.DATA_PATH_PREFIX + d["path"]: str(d["md5"]) for d in data})
    metric = config.model.metric
    metrics = {f"{metric}_before": facts.get("metric_before"),
               f"{metric}_after": facts.get("metric_after"), metric: facts.get("metric_after")}
    metrics.update({f"retrigger.seconds.{s.name}": s.seconds for s in r.steps if s.seconds})
    return mlrecord.RunRecord(
        decision_id=decision.id, run_name=f"retrain-{decision.id}", tags=run_tags,
        params=_params(r), metrics={k: float(v) for k, v in metrics.items() if v is not None},
        inputs=[mlrecord.DataInput(d["path"], str(d["md5"]), commit, d.get("bytes"),
                                   d.get("files")) for d in data if d.get("md5")],
        model_path=model_path, files=_drift_report(r),
        documents={"decision.json": {"decision": decision.as_json(),
                                     "requested_by": r.requested_by, "reason": decision.reason,
                                     "approved_by": r.approved_by, "facts": facts}},
    )


def _params(r: Retrain) -> dict[str, str]:
    params: dict[str, str] = {}
    _flatten(r.decision.config, "", params)
    pipeline = r.ws.config.pipeline
    params.update({
        "pipeline.champion_alias": pipeline.champion_alias,
        "pipeline.min_improvement": str(pipeline.min_improvement),
        "pipeline.min_relative_improvement": str(pipeline.min_relative_improvement),
        "pipeline.command": pipeline.command,
    })
    for reading in r.decision.readings:
        if reading.threshold is not None:
            params[f"threshold.{reading.kind}"] = str(reading.threshold)
    return params


def _flatten(value: dict[str, Any], prefix: str, into: dict[str, str]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            _flatten(item, name + ".", into)
        elif item is not None:
            into[name] = str(item)


def _drift_report(r: Retrain) -> list[Path]:
    if "drift" not in r.decision.trigger_types and "manual" not in r.decision.trigger_types:
        return []
    for reading in r.decision.readings:
        name = reading.extra.get("report_html") if reading.kind == "drift" and reading.fired \
            else None
        if isinstance(name, str) and (r.ws.root / name).is_file():
            return [r.ws.root / name]
    return []
