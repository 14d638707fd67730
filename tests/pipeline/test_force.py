""" "Try anyway" retrains, and a retrain that promotes nothing leaves the tree as HEAD holds it.

On the get-started-like stack (prepare → train → evaluate, tests/support/real_projects.py):
after a refusal DVC's run cache holds the refused model, and `dvc repro` would restore it instead
of training; `run --force --reason` runs `dvc repro --force` on the training stage and what
evaluates it, so the stage really runs and is judged again. On an up-to-date pipeline (a fix
in a helper the train stage does not declare) it trains and promotes. A refused, or a
nothing-to-train that DVC's run cache filled, puts `dvc.lock`, the metrics and the model back:
`git status` is clean and the next `check` reads the numbers of the model in use.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.lineage import tags
from retrigger.lineage.status import RetrainStatus
from retrigger.proc import run
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.real_projects import stack_rows

pytestmark = pytest.mark.slow

TRACKED = ("dvc.lock", "eval/metrics.json", "model.pkl")
RESTORED = "restored dvc.lock, eval/metrics.json from git HEAD and "


def configure(root: Path) -> Path:
    """A floor on roc_auc.test no tiny model reaches: the check fires and the gate refuses."""
    path = root / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["signals"] = {"performance": {"min": 0.999}}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    sh(root, "git", "commit", "-q", "-am", "retrigger: performance floor")
    return path


def add_rows(root: Path, count: int, seed: int) -> None:
    """New labelled rows in the DVC-tracked data, committed as a team would."""
    with (root / "data" / "data.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(stack_rows(count, seed)) + "\n")
    sh(root, "dvc", "add", "-q", "data/data.csv")
    sh(root, "git", "commit", "-q", "-am", f"data: {count} more rows")


def retrain(config: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("run", "--config", str(config), "--json", *extra)
    return result.code, json.loads(result.out) if result.out.strip() else {}, result.err


def check(config: Path) -> dict[str, Any]:
    result = run_cli("check", "--config", str(config), "--json")
    assert result.code == 0, result.err
    found: dict[str, Any] = json.loads(result.out)
    return found


def performance(decision: dict[str, Any]) -> float:
    reading = next(s for s in decision["signals"] if s["kind"] == "performance")
    return float(reading["value"])


def committed_metric(root: Path) -> float:
    metrics = json.loads(sh(root, "git", "show", "HEAD:eval/metrics.json"))
    return float(metrics["roc_auc"]["test"])


def files(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in TRACKED}


def step(outcome: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in outcome["steps"] if s["name"] == name)
    return found


def client(root: Path) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")


def assert_tree_is_heads(root: Path, committed: dict[str, bytes]) -> None:
    """`git status` clean, and the model file is the one HEAD's dvc.lock records."""
    assert run(["git", "status", "--porcelain"], root).stdout == ""
    assert files(root) == committed
    lock = yaml.safe_load((root / "dvc.lock").read_text())
    model = next(o for o in lock["stages"]["train"]["outs"] if o["path"] == "model.pkl")
    assert hashlib.md5((root / "model.pkl").read_bytes()).hexdigest() == model["md5"]
    assert "changed outs" not in sh(root, "dvc", "status")


def test_try_anyway_after_a_refusal_trains_past_the_run_cache_and_puts_the_tree_back(
    stack: Path,
) -> None:
    config = configure(stack)
    committed, in_use = files(stack), committed_metric(stack)
    add_rows(stack, 120, seed=11)
    assert check(config)["fire"] is True
    code, refused, err = retrain(config)
    assert code == 1 and refused["status"] == RetrainStatus.REJECTED, err
    held = run_cli("check", "--config", str(config))
    assert "identical-inputs" in held.out and "run --force --reason" in held.out
    dry, plan, _ = retrain(config, "--force", "--reason", "try anyway", "--dry-run")
    assert dry == 0
    assert plan["plan"]["command"] == "dvc repro prepare && dvc repro --force --downstream train"
    assert plan["plan"]["stages"] == ["prepare", "train", "evaluate"]
    assert "forcing train, evaluate past DVC's up-to-date check and run cache" in plan["message"]

    code, forced, err = retrain(config, "--force", "--reason", "try anyway")

    # DVC's run cache holds the refused model: the stages ran anyway, and were judged again.
    assert "Stage 'prepare' is cached" in err  # upstream of training: as DVC judges it
    assert "Running stage 'train'" in err and "Running stage 'evaluate'" in err
    assert code == 1 and forced["status"] == RetrainStatus.REJECTED, err
    repro = step(forced, "repro")["detail"]
    assert "forced train, evaluate (`dvc repro --force`" in repro and "ran train, evaluate" in repro
    assert forced["run_id"] != refused["run_id"] and forced["metric_after"] is not None
    retrain_run = client(stack).get_run(forced["run_id"])
    assert retrain_run.data.metrics["roc_auc.test"] == forced["metric_after"]
    restored = step(forced, "restore")["detail"]
    assert restored.startswith(RESTORED + "data/prepared/, model.pkl from the DVC cache")
    assert retrain_run.data.tags[tags.RESTORED] == restored and restored in forced["message"]
    assert_tree_is_heads(stack, committed)
    assert performance(check(config)) == pytest.approx(in_use)  # the model in use, not the refused


def test_try_anyway_on_an_up_to_date_pipeline_trains_and_can_promote(stack: Path) -> None:
    """A fix in a helper the train stage does not declare: DVC sees nothing to run."""
    (stack / "helpers.py").write_text("def regularisation(c):\n    return c\n")
    train = (stack / "train.py").read_text()
    (stack / "train.py").write_text(
        "from helpers import regularisation\n"
        + train.replace('C=params["C"]', 'C=regularisation(params["C"])')
    )
    sh(stack, "dvc", "repro", "-q")
    sh(stack, "git", "add", "-A")
    sh(stack, "git", "commit", "-q", "-m", "train through helpers.py")
    config = stack / "retrigger.yaml"
    assert run_cli("baseline", "set", "--from-metrics", "-c", str(config)).code == 0
    (stack / "helpers.py").write_text("def regularisation(c):\n    return c * 100\n")
    sh(stack, "git", "commit", "-q", "-am", "helpers: the regularisation was 100x too strong")
    assert "Data and pipelines are up to date" in sh(stack, "dvc", "status")

    code, outcome, err = retrain(config, "--force", "--reason", "helpers.py is not a dep")

    assert code == 0, err
    assert "Running stage 'train'" in err
    assert "Stage 'prepare' didn't change" in err
    assert outcome["status"] == RetrainStatus.PROMOTED and outcome["model_version"] == "1"
    assert outcome["metric_after"] > outcome["metric_before"]
    assert "restore" not in [s["name"] for s in outcome["steps"]]  # promoted: the tree is new
    lock = yaml.safe_load((stack / "dvc.lock").read_text())
    model = next(o for o in lock["stages"]["train"]["outs"] if o["path"] == "model.pkl")
    assert hashlib.md5((stack / "model.pkl").read_bytes()).hexdigest() == model["md5"]


def test_nothing_to_train_from_the_run_cache_puts_the_tree_back(stack: Path) -> None:
    """The team trained on more rows by hand and committed that model, then took the rows
    back out: DVC's run cache holds a model for those inputs, never validated."""
    config = configure(stack)
    before = sh(stack, "git", "rev-parse", "HEAD").strip()
    add_rows(stack, 150, seed=12)
    sh(stack, "dvc", "repro", "-q")
    sh(stack, "git", "commit", "-q", "-am", "model on the new rows")
    committed, in_use = files(stack), committed_metric(stack)
    sh(stack, "git", "checkout", before, "--", "data/data.csv.dvc")
    sh(stack, "dvc", "checkout", "-q", "data/data.csv")
    sh(stack, "git", "commit", "-q", "-am", "data: the new rows were mislabelled")
    fired = check(config)
    assert fired["fire"] is True

    code, outcome, err = retrain(config)

    assert code == 0, err
    assert outcome["status"] == RetrainStatus.NOTHING_TO_TRAIN
    repro = step(outcome, "repro")["detail"]
    assert "prepare, train, evaluate restored from DVC's run cache" in repro
    restored = step(outcome, "restore")["detail"]
    assert restored.startswith(RESTORED) and "model.pkl" in restored
    assert restored in outcome["message"]
    kept = stack / ".retrigger" / "challengers" / outcome["attempt_id"] / "dvc.lock"
    assert kept.read_text() != committed["dvc.lock"].decode()  # what the run cache put there
    assert client(stack).get_run(outcome["run_id"]).data.tags[tags.RESTORED] == restored
    assert_tree_is_heads(stack, committed)
    after = check(config)
    assert performance(after) == pytest.approx(in_use)
    assert after["held_by"] == "identical-inputs"  # the same inputs: nothing to train again
