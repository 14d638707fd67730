"""``retrigger history``: the retrain runs recorded in MLflow, newest first.

MLflow is the record (the state store may be a CI runner's throwaway SQLite file), so the
question "all retrains triggered by drift in the last 30 days" is a query on run tags.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from retrigger.errors import BadInput, RetriggerError
from retrigger.lineage import tags
from retrigger.lineage.tracking import RunInfo
from retrigger.workspace import Workspace

# "registry": a version registered or a champion alias moved outside retrigger, heard through
# MLflow's webhooks (/events/mlflow); retrigger's own changes are its retrain runs.
TRIGGERS = ("performance", "drift", "schedule", "volume", "manual", "registry")
KEYS = (
    "run_id",
    "decision_id",
    "started_at",
    "trigger_types",
    "data_version",
    "data_paths",
    "git_commit",
    "metric_before",
    "metric_after",
    "compared_on",
    "status",
    "promoted_version",
    "requested_by",
    "approved_by",
    "reason",
    "model",
)


def window(since: str | None) -> timedelta | None:
    """``--since 30d`` as a duration; ``BadInput`` naming the option when it does not parse."""
    from retrigger.config.durations import parse_duration

    try:
        return parse_duration(since) if since else None
    except ValueError as exc:
        raise BadInput(f"--since {since!r}: {exc}") from None


def history(
    workspace: Workspace, trigger: str | None = None, since: timedelta | None = None
) -> list[dict[str, Any]]:
    """Retrain runs as documented for ``retrigger history --json`` (keys: ``KEYS``)."""
    if trigger is not None and trigger not in TRIGGERS:
        raise BadInput(
            f"--trigger {trigger!r} is not a trigger type; use one of {', '.join(TRIGGERS)}"
        )
    query = f"tags.`{tags.RETRAIN}` = 'true'"
    start = workspace.clock() - since if since is not None else None
    if start is not None:
        query += f" and attributes.start_time >= {int(start.timestamp() * 1000)}"
    metric = workspace.config.model.metric
    model = workspace.config.model.name  # the experiment holds one model's retrains
    rows = [
        {**row(run, metric), "model": model}
        for run in workspace.tracking.search(query, max_results=5000)
    ]
    if trigger in (None, "registry"):
        from retrigger.commands.registry_log import history_rows

        try:
            heard = history_rows(workspace)
        except RetriggerError:
            # MLflow is the record; the state store holds only what webhooks said. Without it
            # the retrain runs are still listed (asked for registry changes alone: the error).
            if trigger == "registry":
                raise
            heard = []
        outside = [r for r in heard if start is None or _when(r) >= start]
        rows = sorted(rows + outside, key=_when, reverse=True)
    if trigger is not None:
        rows = [r for r in rows if trigger in r["trigger_types"]]
    return rows


def _when(found: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(found["started_at"]))


def row(run: RunInfo, metric: str) -> dict[str, Any]:
    t = run.tags
    paths = {
        k[len(tags.DATA_PATH_PREFIX) :]: v
        for k, v in t.items()
        if k.startswith(tags.DATA_PATH_PREFIX)
    }
    return {
        "run_id": run.run_id,
        "decision_id": t.get(tags.DECISION_ID),
        "started_at": run.started_at.isoformat(),
        "trigger_types": [x for x in t.get(tags.TRIGGER_TYPES, "").split(",") if x],
        # The combined digest, as `check` reports it, and the DVC md5 of each path.
        "data_version": t.get(tags.DATA_VERSION),
        "data_paths": paths,
        "git_commit": t.get(tags.GIT_COMMIT),
        "metric_before": run.metrics.get(f"{metric}_before"),
        "metric_after": run.metrics.get(f"{metric}_after"),
        "compared_on": t.get(tags.COMPARED_ON),  # what before and after were measured on
        "status": t.get(tags.STATUS),
        "promoted_version": t.get(tags.MODEL_VERSION) or None,
        "requested_by": t.get(tags.REQUESTED_BY),
        "approved_by": t.get(tags.APPROVED_BY),
        "reason": t.get(tags.REASON),
    }
