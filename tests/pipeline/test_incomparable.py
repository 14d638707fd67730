"""No `validation:`, and the two numbers come from different data: the challenger was measured on
a bigger test split than the one the champion's number came from. The gate says so (which
split, how many rows each), holds the challenger as a registered candidate without the alias
(`validation.when_incomparable: hold`, the default), and the data is not remembered as
identical-inputs: the next check fires again.

The project is the get-started shape (tests/support/real_projects.py ``stack``): prepare cuts
data/prepared/{train,test}.csv from all the data, evaluate writes eval/metrics.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.pipeline.test_real_projects import client, git_status, retrain, versions
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.real_projects import set_params, stack_rows

pytestmark = pytest.mark.slow


def champion_then_more_rows(stack: Path, when: str | None = None) -> str:
    """v1 promoted on the same split as the baseline (comparable), committed; then 300 new
    rows make the test split grow from 120 to 211 rows."""
    config = str(stack / "retrigger.yaml")
    settings = yaml.safe_load((stack / "retrigger.yaml").read_text())
    del settings["validation"]
    if when is not None:  # a validation section that only sets the rule
        settings["validation"] = {"when_incomparable": when}
    settings["signals"] = {"volume": {"min_new_rows": 50}}
    (stack / "retrigger.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    sh(stack, "git", "commit", "-q", "-am", "no validation rows")
    assert run_cli("baseline", "set", "--from-metrics", "-c", config).code == 0
    set_params(stack, C=1.0)
    code, outcome, err = retrain(stack)
    assert (code, outcome["status"]) == (0, "promoted"), err
    assert "incomparable" not in outcome["validation"]
    sh(stack, "git", "add", "-A")
    sh(stack, "git", "commit", "-q", "-m", "model v1")
    with (stack / "data/data.csv").open("a") as handle:
        handle.write("\n".join(stack_rows(300, seed=9)) + "\n")
    sh(stack, "dvc", "add", "-q", "data/data.csv")
    sh(stack, "git", "add", "-A")
    sh(stack, "git", "commit", "-q", "-m", "300 new rows")
    return config


def test_a_challenger_measured_on_a_bigger_split_is_held_as_a_candidate(stack: Path) -> None:
    config = champion_then_more_rows(stack)
    fired = json.loads(run_cli("check", "-c", config, "--json").out)
    assert fired["fire"] is True

    result = run_cli("run", "-c", config, "--json")

    outcome = json.loads(result.out)
    assert result.code == 0, result.err
    assert outcome["status"] == "held-as-candidate"
    reason = outcome["validation"]["reason"]
    assert "different data" in reason
    assert "data/prepared/test.csv (211 rows" in reason and "(120 rows" in reason, reason
    assert "validation: {stage: NAME}" in reason and "validation.data" in reason
    assert "retrigger champion set 2" in outcome["message"]
    registry = client(stack)
    assert [int(v.version) for v in versions(stack, "stack")] == [1, 2]
    assert str(registry.get_model_version_by_alias("stack", "champion").version) == "1"
    candidate = registry.get_model_version("stack", "2")
    assert not candidate.aliases
    # The candidate says why it exists, like a promoted version, not just its decision id.
    assert f"(decision `{outcome['decision_id']}`" in candidate.description
    assert "**Validation held:** challenger" in candidate.description
    assert git_status(stack) == ""
    run = registry.get_run(outcome["run_id"])
    assert run.info.run_name == f"retrain {outcome['decision_id']} · held"
    assert run.data.tags["retrigger.status"] == "held-as-candidate"
    assert run.data.tags["retrigger.candidate_version"] == "2"
    assert outcome["model_version"] is None  # nothing was promoted
    told = run_cli("explain", outcome["decision_id"], "-c", config)
    assert "validation: HELD" in told.out and "different data" in told.out

    again = json.loads(run_cli("check", "-c", config, "--json").out)

    assert again["fire"] is True, again  # never held as identical-inputs
    assert again.get("held_by") != "identical-inputs"


def test_when_incomparable_refuse_refuses_and_does_not_hold_the_data(stack: Path) -> None:
    config = champion_then_more_rows(stack, when="refuse")
    assert json.loads(run_cli("check", "-c", config, "--json").out)["fire"] is True

    result = run_cli("run", "-c", config, "--json")

    outcome = json.loads(result.out)
    assert result.code == 1, result.err
    assert outcome["status"] == "rejected-by-validation"
    assert "validation.when_incomparable: refuse" in outcome["validation"]["reason"]
    assert [int(v.version) for v in versions(stack, "stack")] == [1]
    again = json.loads(run_cli("check", "-c", config, "--json").out)
    assert again["fire"] is True, again  # a refusal on numbers from different data is no verdict


def test_when_incomparable_promote_promotes_and_says_the_data_differ(stack: Path) -> None:
    config = champion_then_more_rows(stack, when="promote")
    assert json.loads(run_cli("check", "-c", config, "--json").out)["fire"] is True

    result = run_cli("run", "-c", config, "--json")

    outcome = json.loads(result.out)
    assert (result.code, outcome["status"]) == (0, "promoted"), result.err
    reason = outcome["validation"]["reason"]
    assert "different data" in reason and "validation.when_incomparable: promote" in reason
    assert str(client(stack).get_model_version_by_alias("stack", "champion").version) == "2"
