"""The leakage check: a split stage that rebuilds the test set from all the data puts rows the
champion trained on into ``validation.data``; the gate counts them and, by default, refuses to
decide on them (``validation.allow_overlap: true`` accepts them, labelled).

The project is the get-started shape (tests/support/real_projects.py ``stack``) whose prepare
stage splits at random, as many real ones do, run for real: `dvc repro`, MLflow, the CLI.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.pipeline.test_real_projects import client, git_status, retrain, versions
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.real_projects import stack_rows

pytestmark = pytest.mark.slow

RANDOM_SPLIT = """\
from pathlib import Path
import pandas as pd

frame = pd.read_csv("data/data.csv")
test = frame.sample(frac=0.3, random_state=7)
Path("data/prepared").mkdir(parents=True, exist_ok=True)
frame.drop(test.index).to_csv("data/prepared/train.csv", index=False)
test.to_csv("data/prepared/test.csv", index=False)
"""


def grown(stack: Path, allow_overlap: bool) -> int:
    """The model in use trained on a random split of 400 rows; then 300 rows arrive. Returns
    how many rows of the new test split the model in use was trained on."""
    (stack / "prepare.py").write_text(RANDOM_SPLIT)
    settings = yaml.safe_load((stack / "retrigger.yaml").read_text())
    if allow_overlap:
        settings["validation"]["allow_overlap"] = True
    (stack / "retrigger.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    sh(stack, "dvc", "repro", "-q")
    sh(stack, "git", "add", "-A")
    sh(stack, "git", "commit", "-q", "-m", "split at random")
    config = str(stack / "retrigger.yaml")
    assert run_cli("baseline", "set", "--from-metrics", "-c", config).code == 0
    trained = pd.read_csv(stack / "data/prepared/train.csv")
    with (stack / "data/data.csv").open("a") as handle:
        handle.write("\n".join(stack_rows(300, seed=9)) + "\n")
    sh(stack, "dvc", "add", "-q", "data/data.csv")
    sh(stack, "git", "add", "-A")
    sh(stack, "git", "commit", "-q", "-m", "300 new rows")
    # What the next test split will hold: the prepare stage, applied to the grown data.
    frame = pd.read_csv(io.StringIO((stack / "data/data.csv").read_text()))
    test = frame.sample(frac=0.3, random_state=7)
    seen = test.merge(trained.drop_duplicates(), how="inner", on=list(test.columns))
    assert len(test) == 210 and 0 < len(seen) < 210
    return len(seen)


def test_the_gate_counts_the_rows_the_champion_trained_on_and_refuses(stack: Path) -> None:
    seen = grown(stack, allow_overlap=False)

    code, outcome, err = retrain(stack)

    assert code == 1, err
    assert outcome["status"] == "rejected-by-validation"
    reason = outcome["validation"]["reason"]
    assert f"{seen} of 210 validation rows" in reason, reason
    assert "stage train" in reason and "allow_overlap: true" in reason
    assert outcome["validation"]["overlap"]["rows"] == seen
    assert versions(stack, "stack") == []  # nothing registered, nothing promoted
    assert git_status(stack) == ""
    run = client(stack).get_run(outcome["run_id"])
    assert run.data.metrics["validation.overlap_rows"] == seen
    told = run_cli("explain", outcome["decision_id"], "--config", str(stack / "retrigger.yaml"))
    assert f"{seen} of 210 validation rows" in told.out


def test_allow_overlap_lets_the_gate_decide_and_labels_the_numbers(stack: Path) -> None:
    seen = grown(stack, allow_overlap=True)

    code, outcome, err = retrain(stack)

    validation = outcome["validation"]
    assert outcome["status"] in {"promoted", "rejected-by-validation"}, err
    assert "does not decide" not in validation["reason"]
    assert validation["new"] is not None and validation["champion"] is not None
    assert validation["overlap"]["rows"] == seen
    assert f"{seen} of them" in validation["data"] and "training data" in validation["data"]
    assert code == (0 if outcome["status"] == "promoted" else 1)
    shown = json.dumps(outcome)
    assert "allow_overlap" not in validation["reason"], shown


def test_config_validate_warns_of_the_split_stage_and_counts_the_overlap(stack: Path) -> None:
    seen = grown(stack, allow_overlap=False)
    sh(stack, "dvc", "repro", "-q", "prepare")  # the test split the next retrain will score on

    told = run_cli("config", "validate", "-c", str(stack / "retrigger.yaml"))

    assert told.code == 0, told.err
    assert "written by stage prepare, downstream of data: data/data.csv" in told.out
    assert f"{seen} of 210 validation rows" in told.out, told.out
