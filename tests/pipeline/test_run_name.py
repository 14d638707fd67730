"""The retrain run keeps its name, `retrain <decision> · <outcome>`, whatever `run_name` the
pipeline gives its own `mlflow.start_run` (which resumes the retrain run); the pipeline's name
is a tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.lineage import tags
from tests.pipeline.test_real_projects import client, retrain
from tests.support.dvcrepo import sh

pytestmark = pytest.mark.slow


def test_the_pipelines_run_name_goes_to_a_tag_not_the_retrain_run(wine: Path) -> None:
    train = wine / "train.py"
    train.write_text(
        train.read_text().replace(
            "with mlflow.start_run():", 'with mlflow.start_run(run_name="evaluate_model"):'
        )
    )
    assert 'run_name="evaluate_model"' in train.read_text()
    sh(wine, "git", "commit", "-q", "-am", "name the run")

    code, outcome, err = retrain(wine)

    assert code == 0, err
    run = client(wine).get_run(outcome["run_id"])
    assert run.info.run_name == f"retrain {outcome['decision_id']} · promoted"
    assert run.data.tags[tags.PIPELINE_RUN_NAME] == "evaluate_model"
