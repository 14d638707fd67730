"""`retrigger run` on the two real project shapes (tests/support/real_projects.py): a pipeline
that logs and registers its own MLflow model, and a multi-stage one that never touches MLflow.

In each: one registry version per retrain, `@champion` loads with pyfunc, a worse challenger on
the same validation rows is refused and the tree is clean after, a first promotion worse than
the baseline is refused, and the retrain run's duration covers `dvc repro`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrigger.lineage import tags
from retrigger.lineage.status import RetrainStatus
from retrigger.proc import run
from tests.support.cli import run_cli
from tests.support.real_projects import set_params

pytestmark = pytest.mark.slow


def client(root: Path) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")


def retrain(root: Path, reason: str = "test") -> tuple[int, dict[str, Any], str]:
    result = run_cli(
        "run", "--config", str(root / "retrigger.yaml"), "--force", "--reason", reason, "--json"
    )
    return result.code, json.loads(result.out) if result.out.strip() else {}, result.err


def versions(root: Path, name: str) -> list[Any]:
    return sorted(
        client(root).search_model_versions(f"name = '{name}'"), key=lambda v: int(v.version)
    )


def git_status(root: Path) -> str:
    return run(["git", "status", "--porcelain"], root).stdout


def loads_and_predicts(root: Path, uri: str, rows: str, target: str) -> int:
    import mlflow
    import pandas as pd

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    model = mlflow.pyfunc.load_model(uri)
    frame = pd.read_csv(root / rows)
    return len(model.predict(frame.drop(columns=[target])))


def test_wine_the_pipelines_own_version_is_adopted_and_its_logging_lands_in_the_run(
    wine: Path,
) -> None:
    run_cli("baseline", "set", "models:/wine/1", "-c", str(wine / "retrigger.yaml"))
    set_params(wine, alpha=0.01)  # the team tunes the model: a clearly better one

    code, outcome, err = retrain(wine)

    assert code == 0, err
    assert outcome["status"] == "promoted" and outcome["model_version"] == "2"
    assert [v.version for v in versions(wine, "wine")] == [1, 2]  # no second copy of v2
    retrain_run = client(wine).get_run(outcome["run_id"])
    assert retrain_run.data.params["alpha"] == "0.01"  # the pipeline logged into our run
    assert "mae" in retrain_run.data.metrics
    assert retrain_run.data.tags[tags.DECISION_ID] == outcome["decision_id"]
    champion = client(wine).get_model_version_by_alias("wine", "champion")
    assert str(champion.version) == "2" and champion.run_id == outcome["run_id"]
    assert champion.tags[tags.DECISION_ID] == outcome["decision_id"]
    validation = outcome["validation"]
    assert validation["champion_source"].startswith("baseline run")
    assert "data/validation.csv (200 rows" in validation["champion_source"]
    assert validation["new"] < validation["champion"]  # mae: lower is better
    repro = next(s for s in outcome["steps"] if s["name"] == "repro")
    info = retrain_run.info
    assert (info.end_time - info.start_time) / 1000 >= repro["seconds"]
    assert (
        loads_and_predicts(wine, "models:/wine@champion", "data/validation.csv", "quality") == 200
    )


def test_wine_a_worse_challenger_is_refused_tagged_and_the_tree_is_put_back(wine: Path) -> None:
    assert run_cli("champion", "set", "1", "-c", str(wine / "retrigger.yaml")).code == 0
    set_params(wine, alpha=50.0)  # a regularisation that predicts the mean: worse
    lock = (wine / "dvc.lock").read_text()

    code, outcome, err = retrain(wine)

    assert code == 1, err
    assert outcome["status"] == "rejected-by-validation"
    assert "not better than the model in production" in outcome["message"]
    assert "restored dvc.lock" in err
    refused = versions(wine, "wine")[-1]
    assert refused.version == 2 and refused.tags[tags.STATUS] == RetrainStatus.REJECTED
    assert str(client(wine).get_model_version_by_alias("wine", "champion").version) == "1"
    assert (wine / "dvc.lock").read_text() == lock and git_status(wine) == ""
    kept = wine / ".retrigger" / "challengers" / outcome["attempt_id"] / "dvc.lock"
    assert "50.0" in kept.read_text()


def test_stack_the_pickle_becomes_a_loadable_champion_judged_against_the_baseline(
    stack: Path,
) -> None:
    config = str(stack / "retrigger.yaml")
    assert run_cli("baseline", "set", "--from-metrics", "-c", config).code == 0
    set_params(stack, C=1.0)  # less regularisation: a better ranking

    code, outcome, err = retrain(stack)

    assert code == 0, err
    assert outcome["status"] == "promoted"
    assert [v.version for v in versions(stack, "stack")] == [1]
    source = outcome["validation"]["champion_source"]
    assert "no model" in source and "roc_auc.test" in source  # --from-metrics: numbers only
    assert (
        loads_and_predicts(stack, "models:/stack@champion", "data/prepared/test.csv", "label")
        == 120
    )
    retrain_run = client(stack).get_run(outcome["run_id"])
    assert retrain_run.data.metrics["validation.roc_auc.challenger"] == outcome["validation"]["new"]
    repro = next(s for s in outcome["steps"] if s["name"] == "repro")
    info = retrain_run.info
    assert (info.end_time - info.start_time) / 1000 >= repro["seconds"]
    shown = json.loads(run_cli("champion", "show", "-c", config, "--json").out)
    assert shown["loadable"] is True and shown["version"] == "1"


def test_stack_a_first_promotion_worse_than_the_baseline_is_refused_and_put_back(
    stack: Path,
) -> None:
    config = str(stack / "retrigger.yaml")
    assert run_cli("baseline", "set", "--from-metrics", "-c", config).code == 0
    set_params(stack, shuffle_labels=True)  # a broken feature step
    committed = {
        name: (stack / name).read_bytes() for name in ("dvc.lock", "eval/metrics.json", "model.pkl")
    }

    code, outcome, err = retrain(stack)

    assert code == 1, err
    assert outcome["status"] == "rejected-by-validation"
    assert "not better than the baseline" in outcome["message"]
    assert versions(stack, "stack") == []
    assert {name: (stack / name).read_bytes() for name in committed} == committed
    assert git_status(stack) == ""
    told = run_cli("explain", outcome["decision_id"], "--config", config)
    assert "validation: REFUSED" in told.out and "baseline run" in told.out
