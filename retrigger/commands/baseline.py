"""The baseline run: the reference the performance threshold is measured from."""

from __future__ import annotations

from retrigger.data.versions import data_version, versions
from retrigger.lineage import tags
from retrigger.lineage.tracking import RunInfo
from retrigger.workspace import Workspace


def set_baseline(workspace: Workspace, run_id: str, record_data: bool = False) -> dict[str, object]:
    metric = workspace.config.model.metric
    tracking = workspace.tracking
    run = tracking.set_baseline(run_id, metric)
    if record_data and workspace.config.data:
        outs = versions(workspace.root, workspace.config.data)
        tracking.client.set_tag(run_id, tags.DATA_VERSION, data_version(outs))
        for out in outs:
            tracking.client.set_tag(run_id, tags.DATA_PATH_PREFIX + out.path, str(out.md5))
        run = tracking.get(run_id)
    return describe(run, metric)


def current_baseline(workspace: Workspace) -> dict[str, object] | None:
    run = workspace.tracking.baseline()
    return describe(run, workspace.config.model.metric) if run is not None else None


def describe(run: RunInfo, metric: str) -> dict[str, object]:
    return {
        "run_id": run.run_id,
        "started_at": run.started_at.isoformat(),
        "metric": metric,
        "value": run.metrics.get(metric),
        "data_version": run.data_version,
    }


def set_from_metrics(workspace: Workspace) -> dict[str, object]:
    """Record the model in the workspace as the baseline: a run holding the metrics file's
    value, the commit and the data versions (a project that never logged one to MLflow)."""
    from retrigger.errors import BadInput
    from retrigger.gitutil import head_commit
    from retrigger.metrics_file import read_metric

    model = workspace.config.model
    if model.metrics_file is None:
        raise BadInput("model.metrics_file is null (the metric lives in MLflow): pick the run "
                       "of the model in production with `retrigger baseline set RUN_ID`")
    value = read_metric(workspace.root / model.metrics_file, model.metric)
    commit = head_commit(workspace.root)
    client = workspace.tracking.client
    run = client.create_run(str(workspace.tracking.experiment_id(create=True)),
                            run_name="baseline-from-metrics",
                            tags={tags.GIT_COMMIT: commit or "", tags.MLFLOW_GIT_COMMIT:
                                  commit or ""})
    client.log_metric(run.info.run_id, model.metric, value)
    client.set_terminated(run.info.run_id)
    return set_baseline(workspace, run.info.run_id, record_data=True)
