"""The MLflow run that records a retrain, found again by its ``retrigger.decision_id`` tag so a
rerun after a crash or an outage updates it instead of creating a second one."""

from __future__ import annotations

import json
import os
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrigger.lineage import tags
from retrigger.lineage.description import is_own_name
from retrigger.lineage.status import RetrainStatus

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

    from retrigger.workspace import Workspace

MODEL_ARTIFACT = "model"  # where the model lands in the run's artifacts
MAX_PARAM = 500  # MLflow refuses longer param values; thresholds are short


@dataclass(frozen=True)
class DataInput:
    path: str
    md5: str
    commit: str | None
    size: int | None
    files: int | None


@dataclass
class RunRecord:
    """Everything one retrain run carries; ``write`` makes MLflow match it."""

    decision_id: str
    run_name: str
    tags: dict[str, str]
    params: dict[str, str]
    metrics: dict[str, float]
    inputs: list[DataInput] = field(default_factory=list)
    model_path: Path | None = None  # logged only for a model that may be promoted
    documents: dict[str, Any] = field(default_factory=dict)  # name → JSON, logged as artifacts
    files: list[Path] = field(default_factory=list)  # e.g. the drift report


class Warm:
    """MLflow made ready on a thread (client, experiment) while ``dvc repro`` runs; a step that
    needs it waits for it, and a failure to reach MLflow surfaces in that step."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._experiment: Future[str] = ThreadPoolExecutor(
            1, thread_name_prefix="retrigger-mlflow"
        ).submit(self._ready)

    def _ready(self) -> str:
        experiment = self._workspace.tracking.experiment_id(create=True)
        assert experiment is not None
        return experiment

    def client(self) -> MlflowClient:
        self._experiment.result()
        return self._workspace.tracking.client

    def experiment_id(self) -> str:
        return self._experiment.result()


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def find_run(client: MlflowClient, experiment_id: str, decision_id: str) -> str | None:
    """The retrain run of ``decision_id`` (the oldest, should a crash ever have left two)."""
    runs = client.search_runs(
        [experiment_id],
        filter_string=(
            f"tags.`{tags.DECISION_ID}` = '{escape(decision_id)}' "
            f"and tags.`{tags.RETRAIN}` = 'true'"
        ),
        order_by=["attributes.start_time ASC"],
        max_results=1,
    )
    return str(runs[0].info.run_id) if runs else None


def open_run(
    client: MlflowClient,
    experiment_id: str,
    decision_id: str,
    run_name: str,
    run_tags: dict[str, str],
    started_ms: int | None = None,
) -> str:
    """The retrain run, created when the attempt starts (so its duration is the retrain's:
    ``started_ms``, the repro step's start, when given) or found again when an attempt
    resumes; the pipeline's own MLflow logging lands in it."""
    run_id = find_run(client, experiment_id, decision_id)
    if run_id is not None:
        # Running again: an earlier attempt's outcome ("· failed") leaves the name until this
        # one ends (a name the pipeline gave stays, record() moves it to a tag).
        shown = client.get_run(run_id).data.tags.get(tags.MLFLOW_RUN_NAME, "")
        name = run_name if is_own_name(shown, decision_id) else None
        client.update_run(run_id, status="RUNNING", name=name)
        return run_id
    run = client.create_run(experiment_id, start_time=started_ms, run_name=run_name, tags=run_tags)
    return str(run.info.run_id)


def stage_env(
    tracking_uri: str, experiment_id: str, experiment: str, run_id: str
) -> dict[str, str]:
    """What the stage commands inherit: ``mlflow.start_run()`` then resumes the retrain run, and
    ``mlflow.set_experiment`` of the same experiment is accepted."""
    return {
        "MLFLOW_TRACKING_URI": tracking_uri,
        "MLFLOW_EXPERIMENT_ID": experiment_id,
        "MLFLOW_EXPERIMENT_NAME": experiment,
        "MLFLOW_RUN_ID": run_id,
    }


def write(client: MlflowClient, experiment_id: str, record: RunRecord, finished: bool) -> str:
    """Create or update the run of ``record.decision_id``; return its id."""
    from mlflow.entities import Metric, Param, RunTag

    run_id = find_run(client, experiment_id, record.decision_id)
    if run_id is None:
        run = client.create_run(experiment_id, run_name=record.run_name, tags=record.tags)
        run_id = str(run.info.run_id)
        existing: dict[str, str] = {}
    else:
        current = client.get_run(run_id)
        existing = {str(k): str(v) for k, v in current.data.params.items()}
        # The pipeline's mlflow.start_run(run_name=...) renamed the run it resumed: the retrain
        # keeps its own name, and the pipeline's goes to a tag.
        renamed = current.data.tags.get(tags.MLFLOW_RUN_NAME)
        if renamed and not is_own_name(renamed, record.decision_id):
            record.tags.setdefault(tags.PIPELINE_RUN_NAME, renamed)
        client.update_run(run_id, status="RUNNING", name=record.run_name)
    now = int(time.time() * 1000)
    # Params are write-once in MLflow: a rerun keeps what the first attempt logged.
    params = [
        Param(k, v[:MAX_PARAM]) for k, v in sorted(record.params.items()) if k not in existing
    ]
    metrics = [Metric(k, v, now, 0) for k, v in sorted(record.metrics.items())]
    run_tags = [RunTag(k, v) for k, v in sorted(record.tags.items())]
    for start in range(0, max(len(params), len(metrics), len(run_tags)), 100):
        client.log_batch(
            run_id,
            metrics=metrics[start : start + 100],
            params=params[start : start + 100],
            tags=run_tags[start : start + 100],
        )
    _log_inputs(client, run_id, record.inputs)
    _log_artifacts(client, run_id, record)
    if finished:
        terminate(client, run_id, "FINISHED")
    return run_id


def set_status(
    client: MlflowClient,
    run_id: str,
    status: str,
    extra: dict[str, str],
    finished: bool = True,
    name: str | None = None,
) -> None:
    from mlflow.entities import RunTag

    client.log_batch(
        run_id, tags=[RunTag(tags.STATUS, str(status)), *(RunTag(k, v) for k, v in extra.items())]
    )
    if name is not None:  # the outcome in the runs list
        client.update_run(run_id, name=name)
    if finished:
        terminate(client, run_id, "FAILED" if status == RetrainStatus.FAILED else "FINISHED")


def terminate(client: MlflowClient, run_id: str, status: str) -> None:
    # Against a tracking server MLflow prints "View run ... at" on stdout when a run ends;
    # stdout belongs to `--json`.
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    client.set_terminated(run_id, status)


def _log_inputs(client: MlflowClient, run_id: str, inputs: list[DataInput]) -> None:
    """The data versions as MLflow dataset inputs: DVC md5 as digest, ``path@commit`` as source
    (``mlflow.log_input`` through the client, so no global active run is needed)."""
    if not inputs:
        return
    from mlflow.entities import Dataset, DatasetInput, InputTag

    datasets = [
        DatasetInput(
            Dataset(
                name=item.path,
                digest=item.md5[:36],
                source_type="dvc",
                source=f"{item.path}@{item.commit or 'worktree'}",
                profile=json.dumps({"bytes": item.size, "files": item.files}),
            ),
            tags=[InputTag("mlflow.data.context", "training")],
        )
        for item in inputs
    ]
    client.log_inputs(run_id, datasets=datasets)


def _log_artifacts(client: MlflowClient, run_id: str, record: RunRecord) -> None:
    path = record.model_path
    if path is not None:
        if path.is_dir():
            client.log_artifacts(run_id, str(path), MODEL_ARTIFACT)
        else:
            client.log_artifact(run_id, str(path), MODEL_ARTIFACT)
    for extra in record.files:
        client.log_artifact(run_id, str(extra), "retrigger")
    if record.documents:
        with tempfile.TemporaryDirectory(prefix="retrigger-record-") as folder:
            for name, document in record.documents.items():
                target = Path(folder) / name
                target.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
            client.log_artifacts(run_id, folder, "retrigger")
