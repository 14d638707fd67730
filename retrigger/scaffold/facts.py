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
from retrigger.gitutil import repo_root
from retrigger.proc import run
from retrigger.scaffold import code, estimated, measured, served
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
from retrigger.scaffold.estimated import Proposal
from retrigger.scaffold.measured import Choice, Notes
from retrigger.scaffold.registry import MlflowFacts, read_mlflow
from retrigger.scaffold.tracking import Found, TrackingFacts, tracking_facts

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
__all__ = ["Choice", "ProjectFacts", "inspect_project", "model_id"]


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
    estimation: Proposal | None = None  # the metric estimated without labels, proposed


def inspect_project(start: Path, environ: Mapping[str, str] | None = None) -> ProjectFacts:
    """Facts about the git + DVC project around ``start``; BadInput anywhere else."""
    root = _project_root(start)
    notes = Notes()
    pipeline = read_pipeline(root)
    tracking = tracking_facts(root, os.environ if environ is None else environ)
    uri, mlflow = _mlflow(root, tracking, notes)
    model = _model(root, pipeline, tracking.registered_model, mlflow, notes)
    measure = _measure(root, pipeline, mlflow, notes)
    tracked = _tracked_data(root)
    data = inputs_no_stage_produces(pipeline, tracked)
    requirement = own_requirement()
    notes.found.append(f"retrigger for CI: {requirement.spec} (installed {requirement.how})")
    fetches = None if data else fetching_stage(pipeline)
    notes.found.append("data: " + _data_words(data, fetches))
    evaluate = _evaluate_stage(pipeline, model.artifact, notes)
    up = measured.direction(measure.metric, notes)
    files = set(tracked) | pipeline.produced  # new rows are tracked, not read by a stage
    proposal, why = estimated.propose(
        root, measure.keys, measure.metric, evaluate is not None, files
    )
    if why is not None:
        notes.found.append(why)
    return ProjectFacts(
        root=root,
        model=model.name,
        model_id=model_id(model.name),
        metric=measure.metric,
        greater_is_better=up,
        metrics_file=measure.metrics_file,
        artifact=model.artifact,
        tracking_uri=uri,
        experiment=tracking.experiment.value if tracking.experiment else model.name,
        data=data,
        install=_install_line(root),
        found=tuple(notes.found),
        undecided=tuple(notes.undecided),
        requirement=requirement.spec,
        current=measure.current,
        flavor=model.flavor,
        warnings=_ci_warnings(requirement, tracking.uri.value if tracking.uri else None),
        validation_stage=evaluate,
        current_from=measure.source,
        champion_alias=model.where.alias,
        champion_stage=model.where.stage,
        adopt=model.where.adopt,
        data_stage=fetches,
        estimation=proposal,
    )


def _mlflow(root: Path, tracking: TrackingFacts, notes: Notes) -> tuple[str, MlflowFacts]:
    """The tracking URI the project uses, and what its registry and runs hold."""
    for item in (tracking.uri, tracking.experiment):
        if item is not None:
            notes.found.append(f"MLflow {item.source} = {item.value}")
    uri = tracking.uri.value if tracking.uri else DEFAULT_TRACKING_URI
    mlflow = read_mlflow(root, uri, tracking.experiment.value if tracking.experiment else None)
    if mlflow.unread:
        notes.found.append(f"MLflow registry and runs not read: {mlflow.unread}")
    return uri, mlflow


def _project_root(start: Path) -> Path:
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
    return root


@dataclass(frozen=True)
class _Model:
    name: str
    artifact: Choice
    flavor: str | None
    where: served.Where


def _model(
    root: Path, pipeline: Pipeline, registered: Found | None, mlflow: MlflowFacts, notes: Notes
) -> _Model:
    """The model's name, its file (or null), and where production loads it from."""
    script = code.logs_model(root)
    logs = (
        f"{script} logs the model to MLflow itself"
        if script
        else "the project's MLflow runs hold a model they logged"
        if mlflow.logs_model
        else None
    )
    artifact, artifact_name = _artifact(pipeline, notes, logs)
    loads = code.served_from(root)
    named = served.model_name(registered, artifact_name, root.name, mlflow, loads)
    # A name the project registers under is kept as written: it must match the registry.
    exact = named.source.startswith(("params", "the MLflow"))
    name = named.name if exact else _model_name(named.name)
    notes.found.append(f"model.name {name}: from {named.source}")
    where = served.where_served(name, mlflow, loads)
    notes.found.extend(where.found)
    if isinstance(where.alias, tuple):
        notes.undecided.append(
            f"pipeline.champion_alias: {name} holds the aliases {', '.join(where.alias)}; "
            "keep the one production loads"
        )
    return _Model(name, artifact, _flavor(root, artifact, notes), where)


@dataclass(frozen=True)
class _Measure:
    metrics_file: Choice
    metric: Choice
    current: float | None
    source: str  # where ``current`` was read
    keys: tuple[str, ...]  # every metric the metrics file and the newest MLflow run hold


def _measure(root: Path, pipeline: Pipeline, mlflow: MlflowFacts, notes: Notes) -> _Measure:
    """The metric to watch, from the metrics file or else the MLflow runs, and its value now."""
    metrics_file = measured.metrics_file(pipeline, notes)
    metric = measured.metric(root, metrics_file, notes)
    if metric is None and metrics_file is None:
        metric = measured.metric_from_runs(mlflow, notes)
    elif mlflow.metrics:
        notes.found.append(
            "MLflow runs also log: "
            + ", ".join(k for k, _ in mlflow.metrics)
            + " (any one can be model.metric with model.metrics_file: null)"
        )
    current, source = measured.current(root, metrics_file, metric, mlflow)
    line = measured.floor_note(metric, current, source)
    if line is not None:
        notes.found.append(line)
    text = measured.read_text(root, metrics_file) if isinstance(metrics_file, str) else None
    keys = (*metric_choice.numeric_keys(text or ""), *(k for k, _ in mlflow.metrics))
    return _Measure(metrics_file, metric, current, source, keys)


def _data_words(data: tuple[str, ...], fetches: tuple[str, str] | None) -> str:
    if data:
        return ", ".join(data)
    if fetches is not None:
        return (
            f"none tracked by DVC; stage {fetches[0]} fetches {fetches[1]}: list that under "
            "data: to watch its drift and volume"
        )
    return "none (no .dvc file tracked by git)"


def _ci_warnings(requirement: Requirement, uri: str | None) -> tuple[str, ...]:
    """What the generated workflow cannot do as written: install retrigger, reach MLflow."""
    notes = [requirement_note(requirement), tracking_ci_warning(uri or DEFAULT_TRACKING_URI)]
    return tuple(note for note in notes if note)


_PICKLES = (".pkl", ".pickle", ".joblib")


def _flavor(root: Path, artifact: Choice, notes: Notes) -> str | None:
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


def _artifact(pipeline: Pipeline, notes: Notes, logs: str | None) -> tuple[Choice, str | None]:
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
        notes.found.append(f"model.artifact: null ({logs}{also})")
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


def _evaluate_stage(pipeline: Pipeline, artifact: Choice, notes: Notes) -> Choice:
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
