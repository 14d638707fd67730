"""The leakage check for ``validation: {stage: evaluate}``: the evaluate stage scores on the
test split a prepare stage rebuilds from all the data, so it holds rows the champion was
trained on. The gate counts them as it does for ``validation.data`` and, by default, refuses to
decide on them; ``validation.allow_overlap: true`` lets the stage's numbers decide, labelled.

The project is tests/pipeline/test_overlap.py's: the get-started shape whose prepare stage
splits at random, run for real (`dvc repro`, MLflow, the CLI). The evaluate stage depends on
the folder ``data/prepared``; ``roc_auc.test`` names its file ``test.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.pipeline.test_overlap import grown
from tests.pipeline.test_real_projects import client, git_status, retrain, versions
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow


def through_the_stage(stack: Path) -> None:
    """validation: {stage: evaluate} instead of validation.data (committed by ``grown``)."""
    path = stack / "retrigger.yaml"
    settings = yaml.safe_load(path.read_text())
    settings["validation"] = {"stage": "evaluate"}
    path.write_text(yaml.safe_dump(settings, sort_keys=False))


def test_the_stages_rows_the_champion_trained_on_are_counted_and_refused(stack: Path) -> None:
    through_the_stage(stack)
    seen = grown(stack, allow_overlap=False)

    code, outcome, err = retrain(stack)

    assert code == 1, err
    assert outcome["status"] == "rejected-by-validation"
    gate = outcome["validation"]
    assert f"{seen} of 210 validation rows" in gate["reason"], gate["reason"]
    assert "allow_overlap: true" in gate["reason"]
    assert gate["overlap"]["rows"] == seen and gate["champion"] is None
    assert gate["data"].startswith("stage evaluate, roc_auc.test on split test of")
    assert f"{seen} of them" in gate["data"]
    assert versions(stack, "stack") == []  # nothing registered, nothing promoted
    assert git_status(stack) == ""
    run = client(stack).get_run(outcome["run_id"])
    assert run.data.metrics["validation.overlap_rows"] == seen
    told = run_cli("explain", outcome["decision_id"], "--config", str(stack / "retrigger.yaml"))
    assert f"{seen} of 210 validation rows" in told.out, told.out


def test_allow_overlap_lets_the_stages_numbers_decide(stack: Path) -> None:
    through_the_stage(stack)
    seen = grown(stack, allow_overlap=True)

    code, outcome, err = retrain(stack)

    gate = outcome["validation"]
    assert outcome["status"] in {"promoted", "rejected-by-validation"}, err
    assert code == (0 if outcome["status"] == "promoted" else 1)
    assert "does not decide" not in gate["reason"], gate["reason"]
    assert gate["new"] is not None and gate["champion"] is not None
    assert gate["overlap"]["rows"] == seen
    assert f"{seen} of them" in gate["data"] and "training data" in gate["data"]
