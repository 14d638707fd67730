"""What ``retrigger init`` learns about the project it is run in, and what it could not decide.

Read from the project's own files (dvc.yaml, dvc.lock, the metrics file, params.yaml, the
``.dvc`` files git tracks), never invented: an undecided value is written so that
``retrigger config validate`` fails until someone chooses (a list of candidates, or null).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from retrigger.errors import BadInput
from retrigger.gitutil import repo_root, show_file
from retrigger.metrics_file import parse_metric
from retrigger.proc import run
from retrigger.scaffold import code, served
from retrigger.scaffold import metrics as metric_choice
from retrigger.scaffold.ci import (
    Requirement,
    own_requirement,
    requirement_note,
    tracking_ci_warning,
)
from retrigger.scaffold.dvcproject import (
    Pipeline,
    evaluate_stages,
    fetching_stage,
    inputs_no_stage_produces,
    read_pipeline,
    train_outputs,
)
from retrigger.scaffold.registry import MlflowFacts, read_mlflow
from retrigger.scaffold.tracking import tracking_facts

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
Choice = str | tuple[str, ...] | None  # one value, candidates to choose from, or unknown


@dataclass(frozen=True)
class ProjectFacts:
    root: Path
    model: str  # MLflow registered model name
    model_id: str  # the same, safe for Kubernetes names and Airflow DAG ids
    metric: Choice
    greater_is_better: bool | None  # None: the metric's name does not say
    metrics_file: Choice  # None: the metric is read from the MLflow run
    artifact: Choice
    tracking_uri: str
    experiment: str
    data: tuple[str, ...]  # DVC-tracked inputs no stage produces
    install: str  # the shell line that installs the project's own dependencies on a runner
    found: tuple[str, ...] = ()  # what init read, in words
    undecided: tuple[str, ...] = ()  # what a person must choose, in words
    requirement: str = "retrigger"  # what CI installs retrigger from (RETRAIN_REQUIREMENT)
    current: float | None = None  # the metric's value in the metrics file now, when read
    flavor: str | None = None  # "sklearn" for a pickle/joblib model of a scikit-learn project
    warnings: tuple[str, ...] = ()  # what will not work in CI as it is, and what to set
    validation_stage: Choice = None  # the stage that evaluates the model, when dvc.yaml has one
    current_from: str = ""  # where ``current`` was read: "eval/metrics.json", "MLflow run 3f2a…"
    champion_alias: Choice = "champion"  # the alias production loads (candidates: choose one)
    champion_stage: str | None = None  # a legacy stage production still reads, moved too
    adopt: str | None = None  # a registry version serving today that holds no alias yet
    data_stage: tuple[str, str] | None = None  # (stage, its outputs) that fetches the data


def inspect_project(start: Path, environ: Mapping[str, str] | None = None) -> ProjectFacts:
    """Facts about the git + DVC project around ``start``; BadInput anywhere else."""
    root = repo_root(start) if start.is_dir() else None
    if root is None:
        raise BadInput(
            f"{start} is not inside a git repository; run `retrigger init` in your "
            "project (or `git init && dvc init` first)"
        )
    if not (root / ".dvc").is_dir():
        raise BadInput(
            f"{root} is not a DVC project (no .dvc folder); run `dvc init` there "
            "first, then `retrigger init`"
        )
    notes = _Notes()
    pipeline = read_pipeline(root)
    metrics_file = _metrics_file(pipeline, notes)
    metric = _metric(root, metrics_file, notes)
    tracking = tracking_facts(root, os.environ if environ is None else environ)
    for item in (tracking.uri, tracking.experiment):
        if item is not None:
            notes.found.append(f"MLflow {item.source} = {item.value}")
    uri = tracking.uri.value if tracking.uri else DEFAULT_TRACKING_URI
    mlflow = read_mlflow(root, uri, tracking.experiment.value if tracking.experiment else None)
    if mlflow.unread:
        notes.found.append(f"MLflow registry and runs not read: {mlflow.unread}")
    logs = code.logs_model(root) or ("its MLflow runs" if mlflow.logs_model else None)
    artifact, artifact_name = _artifact(pipeline, notes, logs)
    loads = code.served_from(root)
    named = served.model_name(tracking.registered_model, artifact_name, root.name, mlflow, loads)
    # A name the project registers under is kept as written: it must match the registry.
    model = (
        named.name if named.source.startswith(("params", "the MLflow")) else _model_name(named.name)
    )
    notes.found.append(f"model.name {model}: from {named.source}")
    where = served.where_served(model, mlflow, loads)
    notes.found.extend(where.found)
    if isinstance(where.alias, tuple):
        notes.undecided.append(
            f"pipeline.champion_alias: {model} holds the aliases {', '.join(where.alias)}; "
            "keep the one production loads"
        )
    if metric is None and metrics_file is None:
        metric = _metric_from_runs(mlflow, notes)
    elif mlflow.metrics:
        notes.found.append(
            "MLflow runs also log: "
            + ", ".join(k for k, _ in mlflow.metrics)
            + " (any one can be model.metric with model.metrics_file: null)"
        )
    evaluate = _evaluate_stage(pipeline, artifact, notes)
    data = inputs_no_stage_produces(pipeline, _tracked_data(root))
    requirement = own_requirement()
    flavor = _flavor(root, artifact, notes)  # before the notes are frozen below
    current, current_from = _current(root, metrics_file, metric, mlflow)
    if current is not None and current > 0 and isinstance(metric, str):
        up = metric_choice.direction(metric) is not False
        notes.found.append(
            f"performance.min {metric_choice.floor(current, up):g}: 5% "
            f"{'below' if up else 'above'} the current {metric} {current:.4g} ({current_from}),"
            " 2 significant digits; max_drop 0.05: 5% worse than the baseline run"
        )
    notes.found.append(f"retrigger for CI: {requirement.spec} (installed {requirement.how})")
    fetches = None if data else fetching_stage(pipeline)
    notes.found.append("data: " + _data_words(data, fetches))
    return ProjectFacts(
        root=root,
        model=model,
        model_id=model_id(model),
        metric=metric,
        greater_is_better=_direction(metric, notes),
        metrics_file=metrics_file,
        artifact=artifact,
        tracking_uri=uri,
        experiment=tracking.experiment.value if tracking.experiment else model,
        data=data,
        install=_install_line(root),
        found=tuple(notes.found),
        undecided=tuple(notes.undecided),
        requirement=requirement.spec,
        current=current,
        flavor=flavor,
        warnings=_ci_warnings(requirement, tracking.uri.value if tracking.uri else None),
        validation_stage=evaluate,
        current_from=current_from,
        champion_alias=where.alias,
        champion_stage=where.stage,
        adopt=where.adopt,
        data_stage=fetches,
    )


def _data_words(data: tuple[str, ...], fetches: tuple[str, str] | None) -> str:
    if data:
        return ", ".join(data)
    if fetches is not None:
        return (
            f"none tracked by DVC; stage {fetches[0]} fetches {fetches[1]}: list that under "
            "data: to watch its drift and volume"
        )
    return "none (no .dvc file tracked by git)"


def _metric_from_runs(mlflow: MlflowFacts, notes: _Notes) -> Choice:
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


def _ci_warnings(requirement: Requirement, uri: str | None) -> tuple[str, ...]:
    """What the generated workflow cannot do as written: install retrigger, reach MLflow."""
    notes = [requirement_note(requirement), tracking_ci_warning(uri or DEFAULT_TRACKING_URI)]
    return tuple(note for note in notes if note)


def _current(
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
    text = _read_text(root, metrics_file)
    try:
        value = parse_metric(text, metric, metrics_file) if text is not None else None
    except BadInput:
        value = None
    return value, metrics_file


_PICKLES = (".pkl", ".pickle", ".joblib")


def _flavor(root: Path, artifact: Choice, notes: _Notes) -> str | None:
    """``sklearn`` for a pickle/joblib model when the project uses scikit-learn (its
    requirements or its code say so): logged as an MLflow model, the champion loads."""
    if not isinstance(artifact, str) or not artifact.endswith(_PICKLES):
        return None
    where = code.uses_sklearn(root)
    if where is None:
        return None
    notes.found.append(
        f"model.flavor: sklearn ({artifact} is a pickle; {Path(where).name} uses scikit-learn)"
    )
    return "sklearn"


class _Notes:
    def __init__(self) -> None:
        self.found: list[str] = []
        self.undecided: list[str] = []


def _metrics_file(pipeline: Pipeline, notes: _Notes) -> Choice:
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


def _metric(root: Path, metrics_file: Choice, notes: _Notes) -> Choice:
    if not isinstance(metrics_file, str):
        return None  # several files: chosen once the file is; none: from the MLflow runs
    text = _read_text(root, metrics_file)
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


def _direction(metric: Choice, notes: _Notes) -> bool | None:
    if not isinstance(metric, str):
        return None
    up = metric_choice.direction(metric)
    if up is None:
        notes.undecided.append(
            f"model.greater_is_better: the name {metric!r} does not say "
            "whether bigger is better; true was written, check it"
        )
    return up


def _artifact(pipeline: Pipeline, notes: _Notes, logs: str | None) -> tuple[Choice, str | None]:
    """The model's path, and its artifact name (a good registry name) when dvc.yaml has one;
    null when no ``type: model`` artifact is declared and the pipeline logs its model itself."""
    if len(pipeline.models) == 1:
        name, path = pipeline.models[0]
        notes.found.append(f"model: {path} (dvc.yaml artifact {name!r}, type: model)")
        return path, name
    if pipeline.models:
        paths = tuple(path for _, path in pipeline.models)
        notes.undecided.append(
            f"model.artifact: dvc.yaml declares {len(paths)} models "
            f"({', '.join(paths)}); keep the one retrigger retrains"
        )
        return paths, None
    outs = train_outputs(pipeline)
    if logs is not None:
        also = f"; set it to {outs[0]} to have retrigger log that file instead" if outs else ""
        notes.found.append(f"model.artifact: null ({logs} logs the model to MLflow itself{also})")
        return None, None
    if len(outs) == 1:
        notes.found.append(f"model: {outs[0]} (the train stage's output)")
        return outs[0], None
    if outs:
        notes.undecided.append(
            f"model.artifact: the train stage writes {', '.join(outs)}; keep the model"
        )
        return outs, None
    notes.found.append("model: no train stage or model artifact in dvc.yaml; `model` written")
    return "model", None


def _evaluate_stage(pipeline: Pipeline, artifact: Choice, notes: _Notes) -> Choice:
    stages = evaluate_stages(pipeline, artifact) if isinstance(artifact, str) else ()
    if len(stages) > 1:
        notes.undecided.append(
            f"validation.stage: {', '.join(stages)} all read {artifact} and write metrics; "
            "keep the one that scores the model on held-out data"
        )
        return stages
    if stages:
        notes.found.append(
            f"validation: stage {stages[0]} reads {artifact} and writes metrics, so it scores "
            "the champion and the challenger on the same split"
        )
        return stages[0]
    return None


def _read_text(root: Path, path: str) -> str | None:
    try:
        return (root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return show_file(root, "HEAD", path)


def model_id(name: str) -> str:
    """``name`` safe for Kubernetes names and Airflow DAG ids."""
    return _model_name(name).replace("_", "-")[:40].strip("-") or "model"


def _model_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return name or "model"


def _tracked_data(root: Path) -> tuple[str, ...]:
    listed = run(["git", "ls-files", "--", "*.dvc"], root, check=False).stdout.split()
    return tuple(sorted(name.removesuffix(".dvc") for name in listed if name.endswith(".dvc")))


def _install_line(root: Path) -> str:
    for name in ("requirements.txt", "src/requirements.txt", "requirements/base.txt"):
        if (root / name).is_file():
            return f"pip install -r {name}"
    if (root / "pyproject.toml").is_file() or (root / "setup.py").is_file():
        return "pip install ."
    return "echo 'no requirements.txt or pyproject.toml found, set RETRAIN_PROJECT_INSTALL'"
