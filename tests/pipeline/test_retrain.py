"""`retrigger run` on a real git + DVC project with a scikit-learn stage and a real MLflow store."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from retrigger import proc
from retrigger.lineage import tags
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow


def client(root: Path) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")


def retrain_runs(root: Path) -> list[Any]:
    experiment = client(root).get_experiment_by_name("churn")
    return list(
        client(root).search_runs([experiment.experiment_id], f"tags.`{tags.RETRAIN}` = 'true'")
    )


def versions(root: Path) -> list[Any]:
    return list(client(root).search_model_versions("name = 'churn'"))


def state(root: Path, sql: str) -> list[tuple[object, ...]]:
    return sqlite_rows(root / ".retrigger" / "state.db", sql)


def test_a_fired_decision_retrains_validates_pushes_records_and_promotes(
    retrainable: Retrainable,
) -> None:
    root = retrainable.root
    before = json.loads((root / "metrics.json").read_text())["accuracy"]

    result = run_cli("run", "--config", retrainable.config, "--json")

    assert result.code == 0, result.err
    outcome = json.loads(result.out)
    assert outcome["status"] == "promoted" and outcome["decision_id"] == retrainable.decision_id
    assert outcome["metric_before"] == before < outcome["metric_after"]
    assert [s["name"] for s in outcome["steps"]] == [
        "lock",
        "repro",
        "outputs",
        "validate",
        "push",
        "record",
        "promote",
    ]
    assert all(s["status"] == "ok" and s["seconds"] is not None for s in outcome["steps"])
    assert "Running stage 'train'" in result.err  # dvc repro's output, streamed as it ran

    (run,) = retrain_runs(root)
    t = run.data.tags
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    md5 = t[f"{tags.DATA_PATH_PREFIX}data/train.csv"]
    assert t[tags.DECISION_ID] == retrainable.decision_id
    assert t[tags.TRIGGER_TYPES] == "performance"
    assert t[tags.STATUS] == "promoted" and t[tags.GIT_COMMIT] == commit
    assert t[tags.REQUESTED_BY] == "demo@retrigger.local" and tags.APPROVED_BY not in t
    assert t[tags.DATA_VERSION] and md5 in (root / "data/train.csv.dvc").read_text()
    assert run.data.metrics["accuracy_before"] == before
    assert run.data.metrics["accuracy_after"] == outcome["metric_after"]
    assert run.data.params["signals.performance.min"] == "0.7"
    assert run.data.params["pipeline.champion_alias"] == "champion"
    # Read in MLflow's UI: a description, a "Created by", a name that says what it is.
    assert run.info.run_name == f"retrain {retrainable.decision_id} · promoted"
    assert t["mlflow.user"] == "demo@retrigger.local"
    note = t["mlflow.note.content"]
    assert note.startswith("**Why:** retrain of `churn` triggered by performance")
    assert "| performance |" in note and "**Validation passed:** challenger accuracy" in note
    assert f"`data/train.csv` md5 `{md5[:12]}`" in note
    (dataset,) = run.inputs.dataset_inputs
    assert dataset.dataset.digest == md5
    assert dataset.dataset.source == f"data/train.csv@{commit}"
    logged = {a.path for a in client(root).list_artifacts(run.info.run_id, "model")}
    assert "model/MLmodel" in logged  # an MLflow model: the champion loads with pyfunc

    champion = client(root).get_model_version_by_alias("churn", "champion")
    assert str(champion.version) == outcome["model_version"] == "1"
    assert champion.tags[tags.DECISION_ID] == retrainable.decision_id
    assert champion.run_id == run.info.run_id
    cloud = proc.run(["dvc", "status", "--cloud", "--json"], root)
    assert json.loads(cloud.stdout) == {}
    assert state(root, "SELECT count(*) FROM retrain_locks") == [(0,)]
    sql = "SELECT kind FROM outbox WHERE kind LIKE 'retrain%' ORDER BY id"
    kinds = [k for (k,) in state(root, sql)]
    assert kinds == ["retrain_started", "retrain_succeeded"]


def test_a_promoted_retrain_becomes_the_baseline_so_the_bar_rises(retrainable: Retrainable) -> None:
    assert run_cli("run", "--config", retrainable.config).code == 0

    shown = json.loads(run_cli("baseline", "show", "-c", retrainable.config, "--json").out)
    checked = json.loads(run_cli("check", "-c", retrainable.config, "--json").out)

    (run,) = retrain_runs(retrainable.root)
    assert shown["run_id"] == run.info.run_id
    assert shown["value"] == run.data.metrics["accuracy_after"]
    performance = checked["signals"][0]
    assert performance["threshold"] == pytest.approx(shown["value"] * 0.95)
    assert run.info.run_id[:8] in performance["detail"]


def test_rerunning_a_finished_decision_creates_nothing(retrainable: Retrainable) -> None:
    assert run_cli("run", "--config", retrainable.config).code == 0

    again = run_cli(
        "run", "--config", retrainable.config, "--decision", retrainable.decision_id, "--json"
    )

    assert again.code == 0
    assert json.loads(again.out)["already_done"] is True
    assert len(retrain_runs(retrainable.root)) == 1 and len(versions(retrainable.root)) == 1
    assert state(retrainable.root, "SELECT count(*) FROM retrain_attempts") == [(1,)]


def test_a_model_no_better_than_the_champion_is_refused_and_recorded(
    retrainable: Retrainable,
) -> None:
    assert run_cli("run", "--config", retrainable.config).code == 0

    # Same data, same params; only a comment in train.py changed: dvc repro retrains, and the
    # model is the champion's twin.
    script = retrainable.root / "train.py"
    script.write_text(script.read_text() + "\n# refactor: no change in behaviour\n")
    sh(retrainable.root, "git", "commit", "-q", "-am", "train.py: a comment")
    forced = run_cli(
        "run", "--config", retrainable.config, "--force", "--reason", "check the gate", "--json"
    )

    assert forced.code == 1
    outcome = json.loads(forced.out)
    assert outcome["status"] == "rejected-by-validation"
    assert "not better than the model in production" in forced.err
    assert client(retrainable.root).get_model_version_by_alias("churn", "champion").version == 1
    assert len(versions(retrainable.root)) == 1
    statuses = sorted(r.data.tags[tags.STATUS] for r in retrain_runs(retrainable.root))
    assert statuses == ["promoted", "rejected-by-validation"]
    manual = [
        r for r in retrain_runs(retrainable.root) if r.data.tags[tags.TRIGGER_TYPES] == "manual"
    ]
    assert manual[0].data.tags[tags.REASON] == "check the gate"


def test_data_a_refused_retrain_used_is_held_not_retrained_again(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A floor no model of this data reaches: the retrain is refused, performance keeps firing.
    monkeypatch.setenv("RETRIGGER_SIGNALS__PERFORMANCE__MIN", "0.99")
    monkeypatch.setenv("RETRIGGER_POLICY__COOLDOWN", "0s")
    refused = run_cli("run", "--config", retrainable.config, "--json")

    checked = json.loads(run_cli("check", "-c", retrainable.config, "--json").out)

    assert refused.code == 1
    assert json.loads(refused.out)["status"] == "rejected-by-validation"
    assert checked["trigger_types"] == ["performance"]
    assert (checked["fire"], checked["held_by"]) == (False, "identical-inputs")


def test_a_failing_dvc_repro_fails_the_run_releases_the_lock_and_promotes_nothing(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_PIPELINE__COMMAND", "sh -c 'echo stage exploded >&2; exit 3'")

    result = run_cli("run", "--config", retrainable.config)

    assert result.code == 1
    assert "exited 3: stage exploded" in result.err
    assert state(retrainable.root, "SELECT count(*) FROM retrain_locks") == [(0,)]
    assert state(retrainable.root, "SELECT status, stopped_at FROM retrain_attempts") == [
        ("failed", "repro")
    ]
    assert versions(retrainable.root) == []
    (run,) = retrain_runs(retrainable.root)
    assert run.data.tags[tags.STATUS] == "failed" and run.info.status == "FAILED"


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("rm -f metrics.json", "metrics file"),
        ("rm -rf model", "model artifact"),
    ],
)
def test_a_pipeline_that_does_not_write_its_outputs_fails_naming_the_path(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch, command: str, missing: str
) -> None:
    monkeypatch.setenv("RETRIGGER_PIPELINE__COMMAND", command)

    result = run_cli("run", "--config", retrainable.config)

    assert result.code == 1
    path = retrainable.root / ("metrics.json" if missing == "metrics file" else "model")
    assert f"{missing} {path} is missing" in result.err
    assert versions(retrainable.root) == []


def test_dry_run_shows_the_plan_and_changes_nothing(retrainable: Retrainable) -> None:
    lock_before = (retrainable.root / "dvc.lock").read_text()

    result = run_cli("run", "--config", retrainable.config, "--dry-run", "--json")

    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["stages"] == ["train"] and "train" in plan["dag"]
    assert plan["champion"] is None and plan["thresholds"]["floor"] == 0.7
    assert (retrainable.root / "dvc.lock").read_text() == lock_before
    assert state(retrainable.root, "SELECT count(*) FROM retrain_attempts") == [(0,)]
    assert retrain_runs(retrainable.root) == []


def test_a_step_past_stage_timeout_is_stopped_and_fails_after_a_pull(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_PIPELINE__PULL", "true")
    # Long enough for a real `dvc pull` on a loaded 2-core machine, far shorter than the stage.
    monkeypatch.setenv("RETRIGGER_PIPELINE__STAGE_TIMEOUT", "15s")
    monkeypatch.setenv("RETRIGGER_PIPELINE__COMMAND", "sleep 120")

    result = run_cli("run", "--config", retrainable.config, "--json")

    assert result.code == 1
    steps = {s["name"]: s for s in json.loads(result.out)["steps"]}
    assert steps["pull"]["status"] == "ok" and steps["repro"]["status"] == "failed"
    assert 15 <= steps["repro"]["seconds"] < 60
    assert "ran longer than 15s and was stopped" in result.err
