"""The baseline run: the reference the performance threshold is measured from.

It can be an existing run, the run of a registry version (``models:/NAME/VERSION`` or
``models:/NAME@ALIAS``), or a run retrigger logs from the metrics file the pipeline wrote
(``--from-metrics``) — so a project that never logged to MLflow gets a baseline without code.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from retrigger.data.versions import data_version, versions
from retrigger.errors import BadInput
from retrigger.gitutil import head_commit
from retrigger.lineage import tags
from retrigger.lineage.tracking import RunInfo
from retrigger.workspace import Workspace


def set_baseline(workspace: Workspace, run_id: str, record_data: bool = False) -> dict[str, object]:
    metric = workspace.config.model.metric
    tracking = workspace.tracking
    if run_id.startswith("models:/"):
        run_id = _run_of_version(workspace, run_id)
    run = tracking.set_baseline(run_id, metric)
    if record_data and workspace.config.data:
        _tag_data(workspace, run_id)
        run = tracking.get(run_id)
    return describe(run, metric)


def _run_of_version(workspace: Workspace, uri: str) -> str:
    from retrigger.pipeline.registry import version_of

    client = workspace.tracking.client
    name, number = version_of(client, uri)
    run_id = client.get_model_version(name, number).run_id
    if not run_id:
        raise BadInput(
            f"{uri} (version {number}) was registered without a run; pass a run id "
            "or use `retrigger baseline set --from-metrics`"
        )
    return str(run_id)


def from_metrics(workspace: Workspace, file: str | None) -> dict[str, object]:
    """Log a run with every numeric metric of the metrics file, the data versions and the
    commit, and make it the baseline. BadInput (nothing logged) when the file has no number."""
    config = workspace.config
    name = file or config.model.metrics_file
    if not name:
        raise BadInput(
            "no metrics file: pass one (`baseline set --from-metrics FILE`) or set "
            "model.metrics_file"
        )
    values = numeric_metrics(workspace.root / name)
    if config.model.metric not in values:
        raise BadInput(
            f"{name} has no metric {config.model.metric!r} (it has: "
            f"{', '.join(sorted(values)[:12])}); fix model.metric or the file"
        )
    tracking = workspace.tracking
    client = tracking.client
    experiment = str(tracking.experiment_id(create=True))
    commit = head_commit(workspace.root)
    run = client.create_run(
        experiment,
        run_name="baseline-from-metrics",
        tags={
            tags.GIT_COMMIT: commit or "",
            tags.MLFLOW_GIT_COMMIT: commit or "",
            "retrigger.metrics_file": name,
        },
    )
    run_id = str(run.info.run_id)
    from mlflow.entities import Metric

    stamp = int(run.info.start_time)
    batch = [Metric(key, value, stamp, 0) for key, value in sorted(values.items())]
    for start in range(0, len(batch), 100):
        client.log_batch(run_id, metrics=batch[start : start + 100])
    if config.data:
        _tag_data(workspace, run_id)
    client.set_terminated(run_id)
    return describe(tracking.set_baseline(run_id, config.model.metric), config.model.metric)


def numeric_metrics(path: Path) -> dict[str, float]:
    """Every finite number in the JSON file, nested keys joined with dots."""
    if not path.is_file():
        raise BadInput(f"metrics file {path} does not exist; run the pipeline or pass a file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"metrics file {path} is not valid JSON ({exc})") from None
    found: dict[str, float] = {}
    _numbers(data, "", found)
    if not found:
        raise BadInput(f"metrics file {path} holds no numeric metric; nothing to log")
    return found


def _numbers(node: Any, prefix: str, into: dict[str, float]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _numbers(value, f"{prefix}{key}.", into)
    elif isinstance(node, int | float) and not isinstance(node, bool) and math.isfinite(node):
        into[prefix.rstrip(".")] = float(node)


def _tag_data(workspace: Workspace, run_id: str) -> None:
    outs = versions(workspace.root, workspace.config.data)
    client = workspace.tracking.client
    client.set_tag(run_id, tags.DATA_VERSION, data_version(outs))
    for out in outs:
        client.set_tag(run_id, tags.DATA_PATH_PREFIX + out.path, str(out.md5))


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
