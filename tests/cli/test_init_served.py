"""`init` names the model and the place production loads it from as the project's MLflow says:
the registered model its runs log, the `@production` alias or legacy "Production" stage in use,
the floor from the metric its runs log, `artifact: null` for a pipeline that logs its model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from retrigger.config import load_config
from tests.support import registry_project
from tests.support.cli import run_cli

registry_project_template = registry_project.registry_project_template


@pytest.fixture
def course(
    registry_project_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    root = registry_project.copy(registry_project_template, tmp_path)
    monkeypatch.chdir(root)
    return root


def _client(root: Path) -> object:
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{root / 'mlflow.db'}"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def test_the_registry_names_the_model_its_stage_and_the_metric_its_runs_log(course: Path) -> None:
    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    config = load_config(course / "retrigger.yaml").config
    assert config.model.name == "churn-clf"  # not the folder's name, "course"
    assert config.pipeline.champion_stage == "Production"  # v1 is served from the stage
    assert config.pipeline.champion_alias == "champion"  # no alias in use: retrigger's own
    assert config.model.metric == "f1" and config.model.metrics_file is None
    assert config.model.artifact is None  # src/train.py logs the model to MLflow itself
    assert config.signals.performance is not None
    assert config.signals.performance.min == 0.55  # f1 0.585 now: 0.556, rounded down
    text = (course / "retrigger.yaml").read_text()
    assert "precision" in text and "recall_score" in text  # the other metrics, as comments
    document = json.loads(result.out)
    found = " | ".join(document["found"])
    assert "model.name churn-clf: from the MLflow registry" in found
    assert "performance.min 0.55: 5% below the current f1 0.585 (MLflow run" in found
    assert "src/train.py logs the model" in found
    # v1 serves from the stage and holds no alias: adopting it is the next step.
    assert any("retrigger champion set 1" in step for step in document["next"])
    assert run_cli("config", "validate").code == 0


def test_an_alias_in_use_becomes_the_champion_alias(course: Path) -> None:
    client = _client(course)
    client.set_registered_model_alias("churn-clf", "production", "2")  # type: ignore[attr-defined]
    (course / "src" / "train.py").unlink()  # the training code says nothing: the runs do

    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    raw = yaml.safe_load((course / "retrigger.yaml").read_text())
    assert raw["pipeline"]["champion_alias"] == "production"
    assert raw["model"]["artifact"] is None
    found = " | ".join(json.loads(result.out)["found"])
    assert "model.artifact: null (the project's MLflow runs hold a model they logged" in found
    assert not any("champion set" in step for step in json.loads(result.out)["next"])


def test_validate_warns_when_another_tool_moved_the_alias_and_says_who(course: Path) -> None:
    assert run_cli("init").code == 0
    client = _client(course)
    # alice's training script (or alice in the MLflow UI) points @champion at v2.
    client.set_registered_model_alias("churn-clf", "champion", "2")  # type: ignore[attr-defined]

    warned = run_cli("config", "validate")
    adopted = run_cli("champion", "set", "2")
    quiet = run_cli("config", "validate")

    assert warned.code == 0, warned.err
    line = next(x for x in warned.out.splitlines() if x.startswith("warning: pipeline.champion"))
    assert "churn-clf@champion (v2) was last moved by another tool" in line
    assert "alice" in line and "train.py" in line
    assert adopted.code == 0, adopted.err
    assert quiet.code == 0 and "last moved by another tool" not in quiet.out


def test_the_alias_the_serving_code_loads_wins_over_the_registrys_others(course: Path) -> None:
    client = _client(course)
    client.set_registered_model_alias("churn-clf", "staging", "2")  # type: ignore[attr-defined]
    client.set_registered_model_alias("churn-clf", "production", "1")  # type: ignore[attr-defined]
    serve = course / "app" / "serve.py"

    several = run_cli("init", "--json")
    raw = yaml.safe_load((course / "retrigger.yaml").read_text())
    serve.parent.mkdir()
    serve.write_text('import mlflow\nMODEL = mlflow.pyfunc.load_model(f"models:/{NAME}@live")\n')
    from_code = run_cli("init", "--force", "--json")

    assert several.code == 0, several.err
    assert raw["pipeline"]["champion_alias"] == "production"  # of two, the one production reads
    assert from_code.code == 0, from_code.err
    raw = yaml.safe_load((course / "retrigger.yaml").read_text())
    assert raw["pipeline"]["champion_alias"] == "live"
    found = " | ".join(json.loads(from_code.out)["found"])
    assert "alias @live: app/serve.py loads models:/churn-clf@live" in found
