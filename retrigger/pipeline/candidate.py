"""Which model a retrain would promote — the challenger — found in this order:

1. a registry version the pipeline registered from the retrain run (adopted: retrigger never
   registers a second version of the same model);
2. a model the pipeline logged in the run (an MLflow 3 logged model, or a run artifact folder
   holding ``MLmodel``);
3. ``model.artifact`` as a folder holding ``MLmodel`` (``mlflow.<flavor>.save_model`` output);
4. ``model.artifact`` as a pickle/joblib file with ``model.flavor: sklearn``: retrigger saves it
   as an MLflow sklearn model whose pip requirements are the file's own imports
   (``retrigger.evaluation.requirements``; no 2–7 s inference), and keeps the file itself in
   the folder (for ``validation.stage``);
5. ``model.artifact`` as a raw file: registered as it is, and it will not load with pyfunc.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrigger.config.models import ModelConfig
from retrigger.errors import WorkFailed
from retrigger.evaluation.missing import missing_message, missing_module
from retrigger.evaluation.requirements import Derived, derive
from retrigger.evaluation.stage import ORIGINAL
from retrigger.pipeline.record import MODEL_ARTIFACT, escape

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

REGISTERED = "registered by the pipeline"
LOGGED = "logged by the pipeline"
MLMODEL_DIR = "MLflow model folder"
FLAVORED = "pickle logged as an MLflow model"
RAW = "raw file"
NOT_LOADABLE = (
    "it will not load with mlflow.pyfunc: save the model with "
    "mlflow.<flavor>.save_model, log it from the pipeline, or set model.flavor"
)


@dataclass(frozen=True)
class Candidate:
    kind: str
    source: str  # what a registry version is created from, or the adopted version's source
    local: Path | None = None  # the MLflow model folder to log into the run (kinds 3-4)
    raw: Path | None = None  # a raw file to log as it is (kind 5)
    version: str | None = None  # the adopted registry version (kind 1)
    model_id: str | None = None  # an MLflow 3 logged model (kind 2)
    requirements: str | None = None  # which pip requirements retrigger derived, and from what
    needs: tuple[tuple[str, str], ...] = ()  # (distribution, the pickle's module needing it)

    @property
    def loadable(self) -> bool:
        return self.kind != RAW

    @property
    def load_uri(self) -> str:
        """Where scoring loads it from before anything is registered."""
        return str(self.local) if self.local is not None else self.source

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "source": self.source,
            "version": self.version,
            "model_id": self.model_id,
            "loadable": self.loadable,
            "requirements": self.requirements,
        }


def find(
    client: MlflowClient,
    experiment_id: str,
    run_id: str,
    model: ModelConfig,
    root: Path,
    workdir: Path,
    python: str,
    examples: Callable[[], Any] | None = None,
) -> Candidate:
    """The challenger of the retrain run ``run_id``; WorkFailed when there is none. ``python``
    is the project's interpreter: the one that knows which distributions a pickle needs.
    ``examples`` gives the validation rows' features (or None): a model retrigger logs itself
    gets the signature inferred from them."""
    found = _registered(client, model.name, run_id) or _logged(client, experiment_id, run_id)
    if found is not None:
        return found
    if model.artifact is None:
        raise WorkFailed(
            f"the pipeline logged no model to the retrain run {run_id} and "
            "model.artifact is null; log the model from the pipeline (MLFLOW_RUN_ID "
            "is exported to it) or set model.artifact"
        )
    path = root / model.artifact
    runs_uri = f"runs:/{run_id}/{MODEL_ARTIFACT}"
    if not path.exists():
        raise WorkFailed(
            f"model artifact {path} is missing after the pipeline ran; the "
            "pipeline must write it (model.artifact)"
        )
    if path.is_dir() and (path / "MLmodel").is_file():
        signed = with_signature(path, workdir / "mlflow-model", examples() if examples else None)
        return Candidate(MLMODEL_DIR, runs_uri, local=signed)
    if model.flavor == "sklearn" and path.is_file():
        target = workdir / "mlflow-model"
        rows = examples() if examples else None
        derived = save_sklearn(path, target, python, root, rows)
        shown = str(path.relative_to(root) if path.is_relative_to(root) else path)
        note = derived.describe(shown)
        return Candidate(FLAVORED, runs_uri, local=target, requirements=note, needs=derived.needs)
    return Candidate(RAW, runs_uri, raw=path)


def _registered(client: MlflowClient, name: str, run_id: str) -> Candidate | None:
    versions = client.search_model_versions(
        f"name = '{escape(name)}' and run_id = '{escape(run_id)}'"
    )
    if not versions:
        return None
    newest = max(versions, key=lambda v: int(v.version))
    return Candidate(REGISTERED, str(newest.source), version=str(newest.version))


def _logged(client: MlflowClient, experiment_id: str, run_id: str) -> Candidate | None:
    models = list(
        client.search_logged_models(
            experiment_ids=[experiment_id], filter_string=f"source_run_id = '{escape(run_id)}'"
        )
    )
    if models:
        newest = max(models, key=lambda m: m.creation_timestamp or 0)
        return Candidate(LOGGED, f"models:/{newest.model_id}", model_id=str(newest.model_id))
    for item in client.list_artifacts(run_id):  # MLflow 2 style: runs:/<run>/<path>/MLmodel
        if item.is_dir and any(
            f.path.endswith("/MLmodel") for f in client.list_artifacts(run_id, item.path)
        ):
            return Candidate(LOGGED, f"runs:/{run_id}/{item.path}")
    return None


def save_sklearn(
    path: Path, target: Path, python: str, root: Path, examples: Any = None
) -> Derived:
    """Save the pickled/joblib estimator at ``path`` as an MLflow sklearn model in ``target``,
    with the pip requirements its imports need (returned: which ones, and from what) and the
    signature inferred from ``examples`` (the validation rows' features) when given."""
    import cloudpickle  # type: ignore[import-untyped]
    import joblib  # type: ignore[import-untyped]
    import mlflow.sklearn

    try:
        estimator = joblib.load(path)  # reads plain pickles too
    except Exception as exc:  # not a pickle, or a class that is not importable here
        module = missing_module(exc)
        if module is not None:
            raise WorkFailed(missing_message(module, f"model.artifact {path}")) from None
        raise WorkFailed(
            f"model.artifact {path} cannot be unpickled for model.flavor sklearn: {str(exc)[:200]}"
        ) from None
    derived = derive(path, python, root)
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    mlflow.sklearn.save_model(
        estimator,
        str(target),
        serialization_format="cloudpickle",
        signature=_signature(estimator, examples),
        # cloudpickle is retrigger's own: it writes the model MLflow loads (model.pkl).
        pip_requirements=[*derived.requirements, f"cloudpickle=={cloudpickle.__version__}"],
    )
    # The file as the pipeline wrote it, beside the MLflow model: `validation.stage` puts the
    # champion's copy where the evaluate stage reads it (pyfunc ignores the extra folder).
    (target / ORIGINAL).mkdir()
    shutil.copy2(path, target / ORIGINAL / path.name)
    return derived


def with_signature(path: Path, target: Path, examples: Any) -> Path:
    """A model folder without a signature, copied to ``target`` with one inferred from
    ``examples`` (the folder the pipeline wrote stays as it is); ``path`` itself otherwise."""
    if examples is None:
        return path
    import mlflow.pyfunc
    from mlflow.models import Model

    if Model.load(str(path)).signature is not None:
        return path
    try:
        signature = _signature(mlflow.pyfunc.load_model(str(path)), examples)
    except Exception:  # a model pyfunc cannot load: validation says why, not this
        return path
    if signature is None:
        return path
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(path, target)
    described = Model.load(str(target))
    described.signature = signature
    described.save(str(target / "MLmodel"))
    return target


def _signature(estimator: Any, examples: Any) -> Any:
    """MLflow's input/output schema from rows the model predicts on; None (no signature) when
    there are none or the model cannot predict on them: the gate then says why."""
    if examples is None:
        return None
    from mlflow.models import infer_signature

    try:
        with warnings.catch_warnings():  # MLflow's hint about integer columns: not the user's
            warnings.simplefilter("ignore", UserWarning)
            return infer_signature(examples, estimator.predict(examples))
    except Exception:  # columns the model does not know: validation reports it, not this
        return None


def log(client: MlflowClient, run_id: str, candidate: Candidate) -> None:
    """Put a model retrigger found on disk into the run, where its version is created from."""
    if candidate.local is not None:
        client.log_artifacts(run_id, str(candidate.local), MODEL_ARTIFACT)
    elif candidate.raw is not None:
        if candidate.raw.is_dir():
            client.log_artifacts(run_id, str(candidate.raw), MODEL_ARTIFACT)
        else:
            client.log_artifact(run_id, str(candidate.raw), MODEL_ARTIFACT)
