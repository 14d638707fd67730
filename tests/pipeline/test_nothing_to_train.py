"""A retrain whose `dvc repro` runs no stage command trains nothing, and claims nothing.

On the get-started-like stack (prepare → train → evaluate, tests/support/real_projects.py):
an up-to-date pipeline. The attempt ends `nothing-to-train` (exit 0): no validation, no registry
version, no before → after; `explain` and Slack say which stages were skipped and why; `check`
holds the same inputs as identical-inputs; a real change of params afterwards is not held.
Inputs DVC's run cache has trained before, and `run --force`: tests/pipeline/test_force.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.lineage import tags
from retrigger.lineage.status import RetrainStatus, StepStatus
from retrigger.proc import run
from retrigger.store import attempts
from retrigger.workspace import Workspace
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.real_projects import set_params

pytestmark = pytest.mark.slow


def configure(root: Path) -> Path:
    """The team's floor on roc_auc.test: far above what the tiny model reaches, so it fires."""
    path = root / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["signals"] = {"performance": {"min": 0.999}}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    sh(root, "git", "commit", "-q", "-am", "retrigger: performance floor")
    return path


def retrain(config: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("run", "--config", str(config), "--json", *extra)
    return result.code, json.loads(result.out) if result.out.strip() else {}, result.err


def check(config: Path) -> dict[str, Any]:
    result = run_cli("check", "--config", str(config), "--json")
    assert result.code == 0, result.err
    found: dict[str, Any] = json.loads(result.out)
    return found


def client(root: Path) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")


def registered(root: Path) -> list[Any]:
    return list(client(root).search_model_versions("name = 'stack'"))


def test_an_up_to_date_pipeline_trains_nothing_and_the_same_inputs_are_held(
    stack: Path,
) -> None:
    config = configure(stack)
    fired = check(config)
    assert fired["fire"] is True, fired  # no retrain on record: nothing holds the floor's call
    dry, plan, _ = retrain(config, "--dry-run")
    assert dry == 0 and plan["plan"]["stages"] == []
    assert "the attempt would end nothing-to-train" in plan["message"]

    code, outcome, err = retrain(config)

    assert code == 0, err
    assert outcome["status"] == RetrainStatus.NOTHING_TO_TRAIN
    assert outcome["decision_id"] == fired["decision_id"]
    assert outcome["model_version"] is None and outcome["metric_after"] is None
    assert outcome["validation"] is None
    steps = {step["name"]: step for step in outcome["steps"]}
    assert "validate" not in steps and "promote" not in steps
    assert "prepare, train, evaluate unchanged since dvc.lock" in steps["repro"]["detail"]
    assert "nothing to train" in outcome["message"]
    assert registered(stack) == []  # no registry version for a model nobody built
    retrain_run = client(stack).get_run(outcome["run_id"])
    assert retrain_run.data.tags[tags.STATUS] == RetrainStatus.NOTHING_TO_TRAIN
    assert "unchanged" in retrain_run.data.tags[tags.REPRO]
    assert "roc_auc.test" not in retrain_run.data.metrics  # no "after" to show
    assert run(["git", "status", "--porcelain"], stack).stdout == ""

    story = run_cli("explain", fired["decision_id"], "--config", str(config))
    assert story.code == 0, story.err
    assert "nothing trained: `dvc repro` ran no stage (prepare, train, evaluate unchanged" in (
        story.out
    )
    assert "→" not in story.out.split("MLflow run", 1)[1]
    assert "data it trained on" not in story.out

    rows = json.loads(run_cli("history", "--config", str(config), "--json").out)["runs"]
    assert [(r["status"], r["metric_after"]) for r in rows] == [("nothing-to-train", None)]
    assert "→" not in run_cli("history", "--config", str(config)).out  # no before → after

    again, rerun, _ = retrain(config, "--decision", fired["decision_id"])
    assert again == 0 and rerun["already_done"] is True  # final: a rerun changes nothing

    held = check(config)
    assert held["fire"] is False and held["held_by"] == "identical-inputs", held
    explained = run_cli("explain", held["decision_id"], "--config", str(config)).out
    assert f"decision {fired['decision_id']} retrained on data version" in explained
    assert "ran no stage" in explained

    set_params(stack, C=0.1)  # a real change: the hold no longer applies
    assert check(config)["fire"] is True


def test_a_resumed_decision_whose_first_repro_ran_is_not_nothing_to_train(stack: Path) -> None:
    """An attempt that died after its `dvc repro` left the pipeline up to date: the next
    attempt's repro runs nothing, and that is a resume of the training, not "nothing to train"."""
    config = configure(stack)
    fired = check(config)
    workspace = Workspace.load(config)
    now = workspace.clock()
    with workspace.store.transaction() as conn:  # what the dead runner left behind
        attempts.start(
            conn,
            "a-dead",
            fired["decision_id"],
            "stack",
            now,
            pid=1,
            hostname="ci",
            requested_by=None,
            approved_by=None,
        )
        step = attempts.step_started(conn, "a-dead", "repro", now)
        attempts.step_finished(conn, step, StepStatus.OK, 3.0, None)
        attempts.mark_interrupted(conn, "a-dead", now, "runner died after repro")

    code, outcome, err = retrain(config, "--decision", fired["decision_id"])

    # Judged like any model it trained: validated, and held to the floor of 0.999.
    assert code == 1, err
    assert outcome["status"] == RetrainStatus.REJECTED, outcome
    assert "below the performance floor 0.999" in outcome["validation"]["reason"]
    assert outcome["resumed"] is True
    assert any(step["name"] == "validate" for step in outcome["steps"]), outcome
