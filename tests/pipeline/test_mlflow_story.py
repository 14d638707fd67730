"""MLflow tells the story from the registry down, read back through MlflowClient from a real
sqlite store after real retrains: the version's description says why it exists, the runs list
says each retrain's outcome, params read as written, the model has a signature, and people
are named (Slack's users.info on the loopback fake) with their ids in tags."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from retrigger.lineage import tags
from retrigger.units import format as fmt
from tests.pipeline.test_retrain import client, retrain_runs, state
from tests.support.cli import run_cli
from tests.support.fake_slack import FakeSlack, running_fake_slack
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        fake.users["UALICE"] = "Alice Liddell"
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("RETRIGGER_SLACK__API_URL", fake.url)
        yield fake


def test_a_promoted_version_says_why_it_exists_and_who_asked(
    retrainable: Retrainable, slack: FakeSlack
) -> None:
    result = run_cli("run", "-c", retrainable.config, "--requested-by", "UALICE", "--json")

    assert result.code == 0, result.err
    outcome = json.loads(result.out)
    ((facts,),) = state(retrainable.root, "SELECT facts FROM retrain_attempts")
    verdict = json.loads(str(facts))["validation"]
    ((decision,),) = state(retrainable.root, "SELECT data_version FROM decisions")
    version = client(retrainable.root).get_model_version("churn", outcome["model_version"])
    text = version.description
    assert f"triggered by performance (decision `{retrainable.decision_id}`" in text
    assert (
        f"challenger accuracy {fmt.number(verdict['new'])} vs baseline "
        f"{fmt.number(verdict['champion'])}"
    ) in text
    assert f"on {verdict['data']}" in text and "holdout.csv" in verdict["data"]
    assert f"**Data version:** `{decision}`" in text
    assert "requested by Alice Liddell (UALICE), approved by —" in text
    assert version.tags[tags.REQUESTED_BY_NAME] == "Alice Liddell"

    (run,) = retrain_runs(retrainable.root)
    assert run.info.run_name == f"retrain {retrainable.decision_id} · promoted"
    assert run.info.status == "FINISHED"
    assert run.data.tags[tags.REQUESTED_BY] == "UALICE"
    assert run.data.tags["mlflow.user"] == "Alice Liddell"
    note = run.data.tags["mlflow.note.content"]
    assert "vNone" not in note and note.count(fmt.number(verdict["new"])) == 1
    assert len(slack.of("users.info")) == 1


def test_params_read_as_written_and_the_model_has_a_signature(retrainable: Retrainable) -> None:
    import mlflow.models

    assert run_cli("run", "-c", retrainable.config).code == 0

    (run,) = retrain_runs(retrainable.root)
    params = run.data.params
    assert params["policy.max_retrains.per"] == "7d"  # as written, not 1w
    assert params["signals.schedule.max_age"] == "30d"
    threshold = params["threshold.performance"]
    assert len(threshold.lstrip("0.")) <= 4, threshold  # 4 significant digits at most
    info = mlflow.models.get_model_info(f"runs:/{run.info.run_id}/model")
    assert info.signature is not None
    header = (retrainable.root / "holdout.csv").read_text().splitlines()[0].split(",")
    assert info.signature.inputs.input_names() == [c for c in header if c != "churn"]


def test_a_refused_run_is_finished_and_named_refused(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_SIGNALS__PERFORMANCE__MIN", "0.99")

    result = run_cli("-v", "run", "-c", retrainable.config)

    assert result.code == 1
    (run,) = retrain_runs(retrainable.root)
    assert run.info.run_name == f"retrain {retrainable.decision_id} · refused"
    assert run.info.status == "FINISHED"
    # -v: each step of the retrain, its outcome and how long it took.
    assert re.search(r"retrigger\.pipeline\.journal: step repro: ok in \d", result.err)
    assert re.search(r"step validate: ok in \d", result.err)


def test_a_failed_run_is_failed_named_failed_and_states_its_cause(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_PIPELINE__COMMAND", "sh -c 'echo stage exploded >&2; exit 3'")

    assert run_cli("run", "-c", retrainable.config).code == 1

    (run,) = retrain_runs(retrainable.root)
    assert run.info.run_name == f"retrain {retrainable.decision_id} · failed"
    assert run.info.status == "FAILED"
    note = run.data.tags["mlflow.note.content"]
    assert "not run yet" not in note
    assert "**Failed:**" in note and "exited 3" in note and "stage exploded" in note
