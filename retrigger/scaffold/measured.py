"""The number that says how good the model is, as the project records it: the metrics file
dvc.yaml declares (the workspace's copy, else HEAD's), else what the project's newest MLflow run
logs; and its value today, from which ``init`` sets the performance floor.
"""

from __future__ import annotations

from pathlib import Path

from retrigger.errors import BadInput
from retrigger.gitutil import show_file
from retrigger.metrics_file import parse_metric
from retrigger.scaffold import metrics as metric_choice
from retrigger.scaffold.dvcproject import Pipeline
from retrigger.scaffold.registry import MlflowFacts

Choice = str | tuple[str, ...] | None  # one value, candidates to choose from, or unknown


class Notes:
    """What init read (``found``) and what a person must choose (``undecided``), in words."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.undecided: list[str] = []


def metrics_file(pipeline: Pipeline, notes: Notes) -> Choice:
    files = pipeline.metrics_files
    if not files:
        notes.found.append(
            "metrics file: none in dvc.yaml, so the metric is read from the "
            "MLflow run (model.metrics_file: null)"
        )
        return None
    if len(files) > 1:
        notes.undecided.append(
            f"model.metrics_file: dvc.yaml declares {len(files)} metrics "
            f"files ({', '.join(files)}); keep the one to watch"
        )
        return files
    notes.found.append(f"metrics file: {files[0]} (dvc.yaml `metrics:`)")
    return files[0]


def metric(root: Path, metrics_file: Choice, notes: Notes) -> Choice:
    if not isinstance(metrics_file, str):
        return None  # several files: chosen once the file is; none: from the MLflow runs
    text = read_text(root, metrics_file)
    if text is None:
        notes.undecided.append(
            f"model.metric: {metrics_file} is neither in the workspace nor "
            "committed; run `dvc pull` or `dvc repro` and init again, or "
            "name the metric"
        )
        return None
    chosen = metric_choice.choose(metric_choice.numeric_keys(text))
    if chosen.key is None:
        notes.undecided.append(f"model.metric: {metrics_file} holds no number; name the metric")
        return None
    others = f"; others: {', '.join(chosen.alternatives)}" if chosen.alternatives else ""
    notes.found.append(f"metric: {chosen.key} from {metrics_file}{others}")
    return chosen.key


def metric_from_runs(mlflow: MlflowFacts, notes: Notes) -> Choice:
    """The metric the project's newest MLflow run logs, chosen as from a metrics file."""
    chosen = metric_choice.choose([k for k, _ in mlflow.metrics])
    if chosen.key is None:
        notes.undecided.append(
            "model.metric: name the metric your training run logs to "
            "MLflow (e.g. accuracy; for an error such as rmse also set "
            "greater_is_better: false)"
        )
        return None
    others = f"; others: {', '.join(chosen.alternatives)}" if chosen.alternatives else ""
    notes.found.append(f"metric: {chosen.key} from MLflow run {mlflow.run_id}{others}")
    return chosen.key


def direction(metric: Choice, notes: Notes) -> bool | None:
    if not isinstance(metric, str):
        return None
    up = metric_choice.direction(metric)
    if up is None:
        notes.undecided.append(
            f"model.greater_is_better: the name {metric!r} does not say "
            "whether bigger is better; true was written, check it"
        )
    return up


def current(
    root: Path, metrics_file: Choice, metric: Choice, mlflow: MlflowFacts
) -> tuple[float | None, str]:
    """The metric's value now (the workspace's file, else HEAD's; or the newest MLflow run),
    to set the floor from, and where it was read."""
    if not isinstance(metric, str):
        return None, ""
    if metrics_file is None:
        value = dict(mlflow.metrics).get(metric)
        return value, f"MLflow run {mlflow.run_id}"
    if not isinstance(metrics_file, str):
        return None, ""
    text = read_text(root, metrics_file)
    try:
        value = parse_metric(text, metric, metrics_file) if text is not None else None
    except BadInput:
        value = None
    return value, metrics_file


def floor_note(metric: Choice, value: float | None, source: str) -> str | None:
    """The one line that says where performance.min and max_drop come from."""
    if value is None or value <= 0 or not isinstance(metric, str):
        return None
    up = metric_choice.direction(metric) is not False
    return (
        f"performance.min {metric_choice.floor(value, up):g}: 5% "
        f"{'below' if up else 'above'} the current {metric} {value:.4g} ({source}), 2 "
        "significant digits; max_drop 0.05: 5% worse than the baseline run"
    )


def read_text(root: Path, path: str) -> str | None:
    try:
        return (root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return show_file(root, "HEAD", path)
