"""Inputs a retrain already tried are held, though HEAD's dvc.lock no longer describes them.

A refused or nothing-to-train retrain puts the work tree back to HEAD's ``dvc.lock``; the lock
DVC wrote for it is kept under ``.retrigger/challengers/<attempt>/``. When the params a team
committed are the ones that retrain used, `dvc status` against HEAD's lock still says "params
changed" at every check — so without looking at the kept lock, each check fired again, and each
retrain built the same refused model, or restored the same one from DVC's run cache, again.

On the get-started-like stack (prepare → train → evaluate, tests/support/real_projects.py),
with a performance floor no tiny model reaches: the check always wants a retrain, the gate
always refuses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrigger.lineage.status import RetrainStatus
from tests.pipeline import test_force as force_tests
from tests.pipeline.test_force import check, configure
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.real_projects import set_params

pytestmark = pytest.mark.slow


def retrain(config: Path) -> dict[str, Any]:
    return force_tests.retrain(config)[1]


def test_params_a_refused_retrain_tried_are_held_and_new_params_fire(stack: Path) -> None:
    config = configure(stack)
    set_params(stack, C=0.5)
    fired = check(config)
    assert fired["fire"] is True, fired
    refused = retrain(config)
    assert refused["status"] == RetrainStatus.REJECTED, refused
    assert "params.yaml" in json.dumps(check_inputs(stack))  # HEAD's lock: params changed

    held = check(config)

    assert held["fire"] is False and held["held_by"] == "identical-inputs", held
    assert fired["decision_id"] in held["hold_detail"]
    assert "validation refused the model it built" in held["hold_detail"]
    explained = run_cli("explain", held["decision_id"], "--config", str(config)).out
    assert fired["decision_id"] in explained

    set_params(stack, C=0.7)  # inputs nobody tried: a retrain could build something new
    assert check(config)["fire"] is True


def test_params_the_run_cache_restored_are_held_after_nothing_to_train(stack: Path) -> None:
    """Someone trained C=0.5 by hand and threw it away; the team then commits C=0.5."""
    config = configure(stack)
    set_params(stack, commit=False, C=0.5)
    sh(stack, "dvc", "repro", "-q")  # DVC's run cache now holds the C=0.5 outputs
    sh(stack, "git", "checkout", "--", ".")
    sh(stack, "dvc", "checkout", "-q")
    set_params(stack, C=0.5)
    fired = check(config)
    assert fired["fire"] is True, fired
    outcome = retrain(config)
    assert outcome["status"] == RetrainStatus.NOTHING_TO_TRAIN, outcome

    held = check(config)

    assert held["fire"] is False and held["held_by"] == "identical-inputs", held
    assert fired["decision_id"] in held["hold_detail"]
    assert "`dvc repro` ran no stage" in held["hold_detail"]
    # The kept lock is what proves it: without it, the same inputs fire again.
    kept = stack / ".retrigger" / "challengers" / outcome["attempt_id"] / "dvc.lock"
    kept.unlink()
    assert check(config)["fire"] is True


def check_inputs(root: Path) -> Any:
    return json.loads(sh(root, "dvc", "status", "--json"))
