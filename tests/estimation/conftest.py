"""A project with a labelled reference and unlabelled new rows (seeded, truth known), and a
real MLflow sqlite registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.estimation.synthetic import world
from tests.models.conftest import Small


@pytest.fixture
def project(tmp_path: Path, mlflow_uri: str) -> Small:
    root = tmp_path / "project"
    root.mkdir()
    rows = world(seed=0)
    reference, labels = rows["reference"]
    reference.assign(label=labels).to_csv(root / "reference.csv", index=False)
    rows["same"][0].to_csv(root / "same.csv", index=False)
    rows["covariate"][0].to_csv(root / "shifted.csv", index=False)
    return Small(root, root / "retrigger.yaml", mlflow_uri)
