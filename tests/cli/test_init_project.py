"""`retrigger init` reads the project it is brought to: dvc.yaml's metrics and model artifact,
params.yaml's MLflow settings, the data DVC tracks; and asks for what it cannot decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from retrigger.config import load_config
from tests.support import brought as projects
from tests.support.cli import run_cli

# Fixtures: the brought projects, built once per session and copied.
get_started_template = projects.get_started_template
wine_course_template = projects.wine_course_template


@pytest.fixture
def get_started(
    get_started_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    root = projects.copy(get_started_template, tmp_path)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def wine(wine_course_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    root = projects.copy(wine_course_template, tmp_path)
    monkeypatch.chdir(root)
    return root


def test_example_get_started_metrics_model_and_data_come_from_dvc_yaml(get_started: Path) -> None:
    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    model = load_config(get_started / "retrigger.yaml").config.model
    assert model.name == "text-classification"  # the artifact's name
    assert model.metrics_file == "eval/metrics.json"
    assert model.metric == "roc_auc.test"  # held-out split, a known name, nested
    assert model.greater_is_better is True
    assert model.artifact == "model.pkl"
    assert load_config(get_started / "retrigger.yaml").config.data == ["data/data.xml"]
    text = (get_started / "retrigger.yaml").read_text()
    assert "avg_prec.test" in text  # the alternatives, as a comment
    assert not (get_started / "metrics.json").exists()  # no placeholder file
    found = json.loads(result.out)["found"]
    assert any("roc_auc.test" in line for line in found)
    workflow = (get_started / ".github/workflows/retrain.yml").read_text()
    assert "pip install -r src/requirements.txt" in workflow


def test_gitignore_gets_state_and_local_mlflow_once(get_started: Path) -> None:
    assert run_cli("init").code == 0
    assert run_cli("init", "--force").code == 0

    lines = (get_started / ".gitignore").read_text().splitlines()
    assert lines[:3] == [".venv/", "/model.pkl", "/eval"]  # the user's lines stay first
    for line in (".retrigger/", "/mlflow.db", "/mlartifacts/"):
        assert lines.count(line) == 1


def test_wine_course_mlflow_settings_from_params_and_an_open_question(wine: Path) -> None:
    result = run_cli("init")

    assert result.code == 0, result.err
    raw = yaml.safe_load((wine / "retrigger.yaml").read_text())
    assert raw["model"]["name"] == "ElasticNetWineModel"  # as registered, case kept
    assert raw["model"]["metrics_file"] is None  # the metrics live in MLflow
    assert raw["model"]["artifact"] == "saved_models/model.joblib"  # the train stage's out
    assert raw["tracking"] == {
        "uri": "http://127.0.0.1:1234",
        "experiment": "ElasticNet Regression",
    }
    assert raw["data"] == ["data_given/winequality.csv"]
    assert "undecided" in result.out and "model.metric" in result.out
    # Nothing picked silently: validation fails until someone names the metric.
    invalid = run_cli("config", "validate")
    assert invalid.code == 2 and "model.metric" in invalid.err
    gitignore = (wine / ".gitignore").read_text()
    assert ".retrigger/" in gitignore and "mlflow.db" not in gitignore  # MLflow is a server


def test_the_evaluate_stage_is_proposed_to_score_champion_and_challenger(
    get_started: Path,
) -> None:
    # get-started's evaluate stage reads model.pkl; its metrics file is a top-level `metrics:`
    # entry inside the stage's `outs: [eval]`.
    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    validation = load_config(get_started / "retrigger.yaml").config.validation
    assert validation is not None and validation.stage == "evaluate"
    assert any("validation: stage evaluate" in line for line in json.loads(result.out)["found"])
    checked = run_cli("config", "validate")
    assert checked.code == 0, checked.err


def test_no_stage_is_proposed_where_none_scores_a_given_model(wine: Path) -> None:
    # The wine course's stage trains and evaluates at once: it cannot score another model.
    assert run_cli("init").code == 0

    text = (wine / "retrigger.yaml").read_text()
    assert "validation" not in yaml.safe_load(text) and "#   stage: evaluate" in text


def test_several_metrics_files_are_offered_not_chosen(get_started: Path) -> None:
    dvc_yaml = get_started / "dvc.yaml"
    dvc_yaml.write_text(
        dvc_yaml.read_text().replace(
            "metrics:\n- eval/metrics.json", "metrics:\n- eval/metrics.json\n- eval/live.json"
        )
    )

    result = run_cli("init")

    assert result.code == 0, result.err
    raw = yaml.safe_load((get_started / "retrigger.yaml").read_text())
    assert raw["model"]["metrics_file"] == ["eval/metrics.json", "eval/live.json"]
    assert run_cli("config", "validate").code == 2


def test_a_dvc_yaml_that_does_not_parse_is_named_with_its_line(get_started: Path) -> None:
    (get_started / "dvc.yaml").write_text("stages:\n  train:\n    cmd: [python\n")

    result = run_cli("init")

    assert result.code == 2
    assert "dvc.yaml line" in result.err and len(result.err.strip().splitlines()) == 1
    assert not (get_started / "retrigger.yaml").exists()


def test_ci_files_one_at_a_time_leave_the_edited_config_alone(get_started: Path) -> None:
    assert run_cli("init").code == 0
    config = get_started / "retrigger.yaml"
    edited = config.read_text().replace("max_age: 30d", "max_age: 14d")
    config.write_text(edited)

    added = run_cli("init", "--ci", "airflow")

    assert added.code == 0, added.err
    assert config.read_text() == edited
    dag = get_started / "airflow/dags/retrain_text_classification.py"
    assert dag.is_file()
    assert "created  airflow/dags/retrain_text_classification.py" in added.out
    assert "retrigger.yaml  (" not in added.out  # not even listed as kept
    dag.write_text("# mine\n")

    refused = run_cli("init", "--ci", "airflow")
    forced = run_cli("init", "--ci", "airflow", "--force")

    assert refused.code == 2 and "--force" in refused.err
    assert forced.code == 0, forced.err
    assert dag.with_name(dag.name + ".bak").read_text() == "# mine\n"
    assert ".bak" in forced.out
    assert config.read_text() == edited  # --force overwrote only the file named


def test_first_check_after_init_waits_for_history_then_a_baseline_from_metrics(
    get_started: Path,
) -> None:
    assert run_cli("init").code == 0

    first = run_cli("check", "--json")
    recorded = run_cli("baseline", "set", "--from-metrics", "--json")
    second = run_cli("check", "--json")

    assert first.code == 0, first.err
    decision = json.loads(first.out)
    assert decision["fire"] is False  # no history is not a reason to retrain
    schedule = next(r for r in decision["signals"] if r["kind"] == "schedule")
    assert schedule["fired"] is False and schedule["value"] is None
    assert "baseline set" in schedule["detail"] and "--from-metrics" in schedule["detail"]
    assert recorded.code == 0, recorded.err
    baseline = json.loads(recorded.out)
    assert baseline["metric"] == "roc_auc.test" and baseline["value"] == 0.96
    assert baseline["data_version"]
    later = json.loads(second.out)["signals"]
    assert next(r for r in later if r["kind"] == "schedule")["value"] is not None
    assert next(r for r in later if r["kind"] == "performance")["fired"] is False


def test_a_second_init_no_longer_asks_what_the_user_chose(wine: Path) -> None:
    assert run_cli("init").code == 0
    config = wine / "retrigger.yaml"
    config.write_text(config.read_text().replace("metric: null", "metric: rmse", 1))

    again = run_cli("init", "--json")

    assert again.code == 0, again.err
    document = json.loads(again.out)
    assert not any(note.startswith("model.metric") for note in document["undecided"])
    assert not any(step.startswith("choose what init") for step in document["next"])
    assert yaml.safe_load(config.read_text())["model"]["metric"] == "rmse"
