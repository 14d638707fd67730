"""The Airflow DAG factory and the DAG `retrigger init --ci airflow` writes, on real Airflow 3.

Airflow runs from its own virtualenv (scripts/airflow-venv.sh) with retrigger installed beside
it, as in an Airflow image; the demo project is a real git + DVC + MLflow project.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integrations.conftest import Airflow
from tests.support import git_dvc
from tests.support.cli import run_cli

# Fixtures: a small committed git + DVC project, built once per session and copied.
git_dvc_template = git_dvc.git_dvc_template
git_dvc_project = git_dvc.git_dvc_project

PROBE = Path(__file__).with_name("airflow_probe.py")
DAG_ID = "retrain_project"


def _init_airflow(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    result = run_cli("init", "--ci", "airflow", "--force")
    assert result.code == 0, result.err
    return project / "airflow" / "dags"


def _decisions(project: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(project / ".retrigger" / "state.db") as conn:
        return list(conn.execute("SELECT id, fire FROM decisions ORDER BY created_at"))


@pytest.mark.slow
def test_generated_dag_imports_with_the_expected_shape(
    airflow: Airflow, demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dags = _init_airflow(demo_project, monkeypatch)

    probe = airflow.run(
        [str(airflow.venv / "bin" / "python"), str(PROBE), str(dags)], dags, demo_project
    )

    assert probe.returncode == 0, probe.stderr[-3000:]
    parsed = json.loads(probe.stdout.strip().splitlines()[-1])
    assert parsed["errors"] == {}
    dag = parsed["dags"][DAG_ID]
    tasks = dag["tasks"]
    assert tasks["check"] == {
        "type": "ShortCircuitOperator",
        "downstream": ["wait_for_approval"],
        "mode": None,
    }
    assert tasks["wait_for_approval"]["type"] == "PythonSensor"
    assert tasks["wait_for_approval"]["mode"] == "reschedule"  # holds no worker slot for hours
    assert tasks["wait_for_approval"]["downstream"] == ["retrain"]
    assert tasks["retrain"]["downstream"] == []
    assert dag["max_active_runs"] == 1
    assert dag["catchup"] is False
    assert not dag["schedule"].startswith("0 ")  # off the top of the hour


@pytest.mark.slow
def test_dag_test_run_stops_after_check_when_nothing_fired(
    airflow: Airflow, demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dags = _init_airflow(demo_project, monkeypatch)
    # Keep the demo's own thresholds (init wrote generic ones with --force).
    (demo_project / "retrigger.yaml").write_text(_demo_config(demo_project), encoding="utf-8")
    before = _decisions(demo_project) if (demo_project / ".retrigger" / "state.db").exists() else []

    result = airflow.run(
        [str(airflow.venv / "bin" / "airflow"), "dags", "test", DAG_ID], dags, demo_project
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    stored = _decisions(demo_project)
    assert len(stored) == len(before) + 1
    new_id, fired = stored[-1]
    assert fired == 0
    assert f"retrigger: decision {new_id}: fire=False" in output
    assert "tasks_skipped=2" in output  # the sensor and the retrain never ran
    assert "retrigger: retrain of" not in output


def _demo_config(project: Path) -> str:
    from retrigger.demo.project import CONFIG

    return CONFIG


@pytest.mark.slow
def test_dag_test_run_executes_check_then_retrain_when_the_model_degraded(
    airflow: Airflow, demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrigger.demo import project
    from retrigger.lineage import tags

    dags = _init_airflow(demo_project, monkeypatch)
    (demo_project / "retrigger.yaml").write_text(_demo_config(demo_project), encoding="utf-8")
    project.degrade(demo_project)  # new, shifted data committed with dvc add
    project.monitor(demo_project)  # production monitoring scores the model on it: worse
    (demo_project.parent / "remote").mkdir()
    project.sh(demo_project, "dvc", "remote", "add", "-q", "-d", "store", "../remote")

    result = airflow.run(
        [str(airflow.venv / "bin" / "airflow"), "dags", "test", DAG_ID], dags, demo_project
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    decision_id, fired = _decisions(demo_project)[-1]
    assert fired == 1
    assert f"retrigger: decision {decision_id}: fire=True" in output
    assert f"retrigger: retrain of {decision_id}: promoted" in output
    retrains = _mlflow_runs_tagged(demo_project, tags.DECISION_ID, decision_id)
    assert len(retrains) == 1


def _mlflow_runs_tagged(project: Path, key: str, value: str) -> list[str]:
    with sqlite3.connect(project / "mlflow.db") as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT run_uuid FROM tags WHERE key = ? AND value = ?", (key, value)
            )
        ]


@pytest.mark.slow
def test_init_from_the_installed_package_finds_its_templates(
    airflow: Airflow, git_dvc_project: Path
) -> None:
    """The Airflow virtualenv holds retrigger installed from a built wheel (not editable): the
    templates must travel as package data."""
    result = airflow.run(
        [
            str(airflow.venv / "bin" / "retrigger"),
            "init",
            "--ci",
            "github",
            "--ci",
            "airflow",
            "--ci",
            "k8s",
            "--json",
        ],
        git_dvc_project,
        git_dvc_project,
    )

    assert result.returncode == 0, result.stderr
    written = {
        f["path"]
        for f in json.loads(result.stdout)["files"]
        if f["action"] not in ("kept", "not written")
    }
    assert {
        ".github/workflows/retrain.yml",
        "airflow/dags/retrain_project.py",
        "k8s/retrigger-cronjob.yaml",
        "slack-app-manifest.yml",
    } <= written
    unfilled = [path for path in written if "@@" in (git_dvc_project / path).read_text()]
    assert unfilled == []  # every placeholder was filled in
