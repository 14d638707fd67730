"""`retrigger run` refusals, approvals, and the audit trail it leaves (`history`, `explain`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrigger import proc
from retrigger.decision import new_decision_id
from retrigger.lineage import tags
from retrigger.store import approvals, decisions
from retrigger.workspace import Workspace
from tests.pipeline.test_retrain import retrain_runs, state
from tests.support.cli import run_cli
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow


def store_held_decision(project: Retrainable) -> str:
    workspace = Workspace.load(Path(project.config))
    with workspace.store.transaction() as conn:
        fired = decisions.get(conn, project.decision_id)
        assert fired is not None
        now = datetime.now(tz=UTC)
        held = replace(
            fired,
            id=new_decision_id(now),
            created_at=now,
            fire=False,
            held_by="cooldown",
            hold_detail="last retrain 10m ago; cooldown 1h",
        )
        decisions.save(conn, held)
    return held.id


def test_unknown_decision_is_exit_2_and_stores_nothing(retrainable: Retrainable) -> None:
    result = run_cli("run", "--config", retrainable.config, "--decision", "d-nope")

    assert result.code == 2
    assert "decision 'd-nope' does not exist" in result.err
    assert state(retrainable.root, "SELECT count(*) FROM retrain_attempts") == [(0,)]


def test_run_json_prints_a_document_for_exit_3_and_exit_2(retrainable: Retrainable) -> None:
    from retrigger.pipeline import lock

    workspace = Workspace.load(Path(retrainable.config))
    now = datetime.now(tz=UTC)
    me = lock.Me.current()  # this test process: a live holder
    lock.acquire(
        workspace.store,
        "churn",
        "t-other",
        "d-other",
        me,
        now,
        workspace.config.pipeline.lock_stale_after,
        lambda *_: None,
    )

    held = run_cli("run", "--config", retrainable.config, "--json")
    unknown = run_cli("run", "--config", retrainable.config, "--decision", "d-nope", "--json")

    assert held.code == 3
    document = json.loads(held.out)
    assert (document["status"], document["exit_code"]) == ("lock-held", 3)
    assert "holds the lock" in document["message"]
    assert unknown.code == 2
    assert json.loads(unknown.out)["exit_code"] == 2


def test_a_held_decision_is_refused_unless_forced_with_a_reason(retrainable: Retrainable) -> None:
    held = store_held_decision(retrainable)

    refused = run_cli("run", "--config", retrainable.config)
    no_reason = run_cli("run", "--config", retrainable.config, "--force")

    assert refused.code == 2 and f"decision {held} was held by cooldown" in refused.err
    assert "--force --reason" in refused.err
    assert no_reason.code == 2 and "--force needs --reason" in no_reason.err
    assert state(retrainable.root, "SELECT count(*) FROM retrain_attempts") == [(0,)]

    forced = run_cli(
        "run",
        "--config",
        retrainable.config,
        "--force",
        "--reason",
        "customer escalation",
        "--requested-by",
        "alice",
        "--json",
    )

    assert forced.code == 0, forced.err
    (run,) = retrain_runs(retrainable.root)
    assert run.data.tags[tags.TRIGGER_TYPES] == "manual"
    assert run.data.tags[tags.REQUESTED_BY] == "alice"
    assert run.data.tags[tags.REASON] == "customer escalation"
    story = json.loads(
        run_cli(
            "explain",
            json.loads(forced.out)["decision_id"],
            "--config",
            retrainable.config,
            "--json",
        ).out
    )
    assert story["decision"]["requested_by"] == "alice"
    assert any(
        e["action"] == "decision.forced" and e["detail"]["forced_over"] == held
        for e in story["audit"]
    )


def test_approval_required_waits_then_run_approved_executes_it_once(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_POLICY__APPROVAL", "required")

    asked = run_cli("run", "--config", retrainable.config, "--json")

    assert asked.code == 0, asked.err
    outcome = json.loads(asked.out)
    assert outcome["status"] == "awaiting-approval" and outcome["approval_id"].startswith("a-")
    assert state(retrainable.root, "SELECT status FROM approvals") == [("pending",)]
    assert ("approval_requested",) in state(retrainable.root, "SELECT kind FROM outbox")
    assert retrain_runs(retrainable.root) == []
    workspace = Workspace.load(Path(retrainable.config))
    with workspace.store.transaction() as conn:
        approvals.answer(
            conn, outcome["approval_id"], "U0APPROVER", True, None, datetime.now(tz=UTC)
        )

    executed = run_cli("run", "--config", retrainable.config, "--approved", "--json")
    nothing_left = run_cli("run", "--config", retrainable.config, "--approved", "--json")

    assert executed.code == 0, executed.err
    assert [r["status"] for r in json.loads(executed.out)["runs"]] == ["promoted"]
    assert json.loads(nothing_left.out) == {"schema": "retrigger/runs/v1", "runs": []}
    (run,) = retrain_runs(retrainable.root)
    assert run.data.tags[tags.APPROVED_BY] == "U0APPROVER"
    (executed_at,) = state(retrainable.root, "SELECT executed_at FROM approvals")[0]
    assert executed_at is not None


def test_history_and_explain_answer_why_and_on_what_data(retrainable: Retrainable) -> None:
    assert run_cli("run", "--config", retrainable.config).code == 0

    listed = run_cli("history", "--config", retrainable.config, "--since", "30d", "--json")
    by_drift = run_cli("history", "--config", retrainable.config, "--trigger", "drift", "--json")
    by_perf = run_cli("history", "--config", retrainable.config, "--trigger", "performance")

    assert listed.code == 0, listed.err
    document = json.loads(listed.out)
    assert document["schema"] == "retrigger/history/v1"
    (entry,) = document["runs"]
    assert list(entry) == [
        "run_id",
        "decision_id",
        "started_at",
        "trigger_types",
        "data_version",
        "data_paths",
        "git_commit",
        "metric_before",
        "metric_after",
        "compared_on",
        "status",
        "promoted_version",
        "requested_by",
        "approved_by",
        "reason",
        "model",
    ]
    assert entry["model"] == "churn"
    assert entry["decision_id"] == retrainable.decision_id
    assert entry["trigger_types"] == ["performance"] and entry["promoted_version"] == "1"
    assert entry["status"] == "promoted" and entry["metric_before"] < entry["metric_after"]
    assert json.loads(by_drift.out)["runs"] == []
    assert retrainable.decision_id[:12] in by_perf.out

    for ident in (retrainable.decision_id, entry["run_id"]):
        told = run_cli("explain", ident, "--config", retrainable.config)
        assert told.code == 0, told.err
        commit, md5 = entry["git_commit"], entry["data_paths"]["data/train.csv"]
        assert f"git checkout {commit} && dvc checkout data/train.csv" in told.out
        assert f"data/train.csv md5 {md5}" in told.out
        assert "performance  FIRED" in told.out and "promoted: models:/churn/1" in told.out
        assert "repro" in told.out and "validation: passed" in told.out


@pytest.mark.parametrize("args", [["--trigger", "weather"], ["--since", "soon"]])
def test_history_refuses_bad_filters_with_exit_2(retrainable: Retrainable, args: list[str]) -> None:
    result = run_cli("history", "--config", retrainable.config, *args)
    assert result.code == 2 and result.out == ""


def test_explain_of_an_unknown_id_is_exit_2(retrainable: Retrainable) -> None:
    result = run_cli("explain", "d-20200101T000000-000000", "--config", retrainable.config)
    assert result.code == 2 and "no decision or retrain run" in result.err


def test_an_approval_whose_commit_moved_is_stale_and_asked_again(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_POLICY__APPROVAL", "required")
    asked = json.loads(run_cli("run", "--config", retrainable.config, "--json").out)
    workspace = Workspace.load(Path(retrainable.config))
    with workspace.store.transaction() as conn:
        approvals.answer(conn, asked["approval_id"], "U0APPROVER", True, None, datetime.now(tz=UTC))
    proc.run(["git", "commit", "-q", "--allow-empty", "-m", "someone pushed"], retrainable.root)

    result = run_cli("run", "--config", retrainable.config, "--approved", "--json")

    assert result.code == 0, result.err
    (outcome,) = json.loads(result.out)["runs"]
    assert outcome["status"] == "awaiting-approval"
    assert outcome["decision_id"] != retrainable.decision_id
    assert "moved since decision" in outcome["message"]
    assert sorted(state(retrainable.root, "SELECT status FROM approvals")) == [
        ("pending",),
        ("stale",),
    ]
    assert retrain_runs(retrainable.root) == []


def test_a_drift_triggered_retrain_keeps_the_drift_report_and_history_finds_it(
    retrainable: Retrainable,
) -> None:
    from retrigger.decision import Reading

    report = retrainable.root / ".retrigger" / "reports" / "drift-evidence.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("<html>3 of 5 columns drifted</html>")
    workspace = Workspace.load(Path(retrainable.config))
    with workspace.store.transaction() as conn:
        fired = decisions.get(conn, retrainable.decision_id)
        assert fired is not None
        now = datetime.now(tz=UTC)
        drift = Reading(
            "drift",
            0.6,
            0.5,
            True,
            "3 of 5 columns drifted",
            extra={"report_html": ".retrigger/reports/drift-evidence.html"},
        )
        decision = replace(
            fired,
            id=new_decision_id(now),
            created_at=now,
            trigger_types=("drift",),
            readings=(*fired.readings, drift),
        )
        decisions.save(conn, decision)

    assert run_cli("run", "--config", retrainable.config, "--decision", decision.id).code == 0

    (entry,) = json.loads(
        run_cli(
            "history",
            "--config",
            retrainable.config,
            "--trigger",
            "drift",
            "--since",
            "1d",
            "--json",
        ).out
    )["runs"]
    assert entry["decision_id"] == decision.id
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{retrainable.root / 'mlflow.db'}")
    names = {a.path for a in client.list_artifacts(entry["run_id"], "retrigger")}
    assert "retrigger/drift-evidence.html" in names and "retrigger/decision.json" in names
