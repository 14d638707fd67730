"""The primary metric of the model in use, and whose number it is.

The model in use is the version holding the champion alias. Its number is the metric of the
newest run that evaluated *that* model: the version's own run, the retrain run that promoted it,
or a later run that logged the metric against its MLflow logged model (``log_metric(...,
model_id=...)``). A run is never chosen or skipped for carrying retrigger's tags: a refused
retrain evaluated another model, a promoting one evaluated this one. Before any champion alias
the newest run that logged the metric and is not a retrain is read (the team's own run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrigger.errors import BadInput
from retrigger.lineage import tags

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion

    from retrigger.lineage.tracking import RunInfo, Tracking


@dataclass(frozen=True)
class InUse:
    """One number of the model in use: the value, the run that logged it, the model version."""

    value: float
    run_id: str
    model_version: str | None  # None before any champion alias
    how: str  # how the run relates to the model: "its own run", "an evaluation run of it", …
    alias: str = "champion"
    data_version: str | None = None  # what the run recorded it measured on, when it did

    @property
    def label(self) -> str:
        """``run 053caf4f, champion v3's own run``: where the number comes from, in one phrase."""
        if self.model_version is None:
            return f"run {self.run_id[:8]}, {self.how}"
        return f"run {self.run_id[:8]}, @{self.alias} v{self.model_version}: {self.how}"


def newest_number(tracking: Tracking, name: str, alias: str, metric: str) -> InUse | None:
    """The metric of the newest run that evaluated the model in use; None when none did."""
    version = _holder(tracking, name, alias)
    if version is None:
        run = tracking.latest_with_metric(metric)
        if run is None:
            return None
        return InUse(
            run.metrics[metric],
            run.run_id,
            None,
            f"no @{alias} yet: the newest run",
            alias,
            run.data_version,
        )
    number = str(version.version)
    found: dict[str, tuple[RunInfo, float, str]] = {}
    if version.run_id:
        _add(found, _run(tracking, str(version.run_id)), metric, None, "its own run")
    promoted = f"tags.`{tags.RETRAIN}` = 'true' and tags.`{tags.MODEL_VERSION}` = '{number}'"
    for run in tracking.search(promoted, max_results=50):
        _add(found, run, metric, None, "the retrain run that promoted it")
    for run_id, value in _model_metrics(tracking, version, metric).items():
        _add(found, _run(tracking, run_id), metric, value, "a later run that evaluated it")
    if not found:
        return None
    run, value, how = max(found.values(), key=lambda item: item[0].started_at)
    return InUse(value, run.run_id, number, how, alias, run.data_version)


def _holder(tracking: Tracking, name: str, alias: str) -> ModelVersion | None:
    from mlflow.exceptions import MlflowException

    try:
        return tracking.client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None  # no such model or alias yet


def _run(tracking: Tracking, run_id: str) -> RunInfo | None:
    try:
        return tracking.get(run_id)
    except BadInput:
        return None  # deleted: it can no longer say anything


def _add(
    found: dict[str, tuple[RunInfo, float, str]],
    run: RunInfo | None,
    metric: str,
    value: float | None,
    how: str,
) -> None:
    if run is None or run.run_id in found:
        return
    number = run.metrics.get(metric) if value is None else value
    if number is not None and math.isfinite(number):
        found[run.run_id] = (run, float(number), how)


def _model_metrics(tracking: Tracking, version: ModelVersion, metric: str) -> dict[str, float]:
    """Run id → the last ``metric`` logged against the version's MLflow 3 logged model."""
    from mlflow.exceptions import MlflowException

    source = str(version.source or "")
    model_id = version.model_id or (
        source.removeprefix("models:/") if source.startswith("models:/m-") else None
    )
    if not model_id:
        return {}
    try:
        logged = tracking.client.get_logged_model(model_id).metrics or []
    except MlflowException:
        return {}
    newest: dict[str, tuple[int, float]] = {}
    for item in logged:
        if item.key == metric and item.run_id:
            stamp = int(item.timestamp or 0)
            if item.run_id not in newest or stamp >= newest[item.run_id][0]:
                newest[item.run_id] = (stamp, float(item.value))
    return {run_id: value for run_id, (_, value) in newest.items()}
