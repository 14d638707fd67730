"""A small workspace on a real MLflow store, with a real sklearn model saved as an MLflow model."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml


@dataclass(frozen=True)
class Small:
    root: Path
    config: Path
    uri: str

    def client(self) -> Any:
        from mlflow.tracking import MlflowClient

        return MlflowClient(tracking_uri=self.uri)


def fitted(root: Path, flip: bool = False) -> tuple[Any, Any]:
    """A tiny classifier on rows of x0..x2 → label, and the rows (as a pandas frame)."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["x0", "x1", "x2"])
    frame["label"] = (frame["x0"] + 0.5 * frame["x1"] > 0).astype(int)
    labels = 1 - frame["label"] if flip else frame["label"]
    model = LogisticRegression().fit(frame[["x0", "x1", "x2"]], labels)
    frame.to_csv(root / "rows.csv", index=False)
    return model, frame


def save(model: Any, folder: Path) -> Path:
    import mlflow.sklearn
    import sklearn

    mlflow.sklearn.save_model(
        model, str(folder), pip_requirements=[f"scikit-learn=={sklearn.__version__}"]
    )
    return folder


@pytest.fixture
def small(tmp_path: Path, mlflow_uri: str) -> Small:
    root = tmp_path / "small"
    root.mkdir()
    config = root / "retrigger.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "model": {"name": "m", "metric": "accuracy", "artifact": None},
                "tracking": {
                    "uri": mlflow_uri,
                    "experiment": "m",
                    "artifact_location": (root / "artifacts").as_uri(),
                },
                "state": {"url": f"sqlite:///{root / 'state.db'}"},
                "validation": {"data": "rows.csv", "target": "label"},
            }
        )
    )
    return Small(root, config, mlflow_uri)


def registered(small: Small, folder: Path | None, metric: float | None = None) -> str:
    """A run (with the model folder as its ``model`` artifact) registered as a version of m."""
    client = small.client()
    experiment = client.get_experiment_by_name("m")
    experiment_id = (
        experiment.experiment_id
        if experiment
        else client.create_experiment("m", artifact_location=(small.root / "artifacts").as_uri())
    )
    run = client.create_run(experiment_id)
    if folder is not None:
        client.log_artifacts(run.info.run_id, str(folder), "model")
    if metric is not None:
        client.log_metric(run.info.run_id, "accuracy", metric)
    client.set_terminated(run.info.run_id)
    with contextlib.suppress(Exception):  # already registered
        client.create_registered_model("m")
    version = client.create_model_version(
        "m", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id
    )
    return str(version.version)
