"""The bot's engine without Slack: requests, executors (local, github, none), staleness."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

from retrigger.approvals.approvers import Approvers
from retrigger.config.models import GithubExecutorConfig
from retrigger.lineage.snapshot import Snapshot
from retrigger.slack.engine import BotEngine
from retrigger.slack.executors import Executor, GithubExecutor, LocalExecutor, NoExecutor
from retrigger.store import approvals
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.support.fake_slack import refused_url, running_fake_slack
from tests.support.workspaces import Clock, mini_workspace

FAKE_RUN = """
import json, pathlib, sys
pathlib.Path(sys.argv[1]).write_text(json.dumps(sys.argv[2:]))
print(json.dumps({"status": "promoted"}))
"""


def _engine(ws: Workspace, executor: Executor, snap: Snapshot | None = None) -> BotEngine:
    approvers = Approvers(["UBOB"], None, timedelta(minutes=5), ws.clock)
    current = snap or Snapshot("c0ffee", None, {})
    return BotEngine(ws, approvers, executor, snapshot=lambda: current)


def _progress(ws: Workspace) -> list[str]:
    rows = sqlite_rows(
        ws.root / ".retrigger" / "state.db",
        "SELECT payload FROM outbox WHERE kind = 'executor_progress' ORDER BY id",
    )
    return [json.loads(str(row[0]))["message"] for row in rows]


def _approve_manual(engine: BotEngine) -> approvals.Approval:
    reply = engine.command("UALICE", "churn the data changed", key="k1")
    assert reply.startswith("asked for approval a-"), reply
    approval_id = reply.split()[3]
    assert engine.click("UBOB", approval_id, True).changed
    with engine.workspace.store.transaction() as conn:
        found = approvals.get(conn, approval_id)
    assert found is not None
    return found


def _workspace(tmp_path: Path, clock: Clock) -> Workspace:
    """A workspace whose policy requires approval."""
    config = mini_workspace(tmp_path).loaded.path
    config.write_text(config.read_text() + "policy: {approval: required}\n")
    ws = Workspace.load(config)
    ws.clock = clock
    return ws


def test_local_executor_runs_retrigger_run_as_an_argv_list_once(tmp_path: Path) -> None:
    clock = Clock()
    ws = _workspace(tmp_path, clock)
    script = tmp_path / "fake_run.py"
    script.write_text(FAKE_RUN)
    seen = tmp_path / "argv.json"
    executor = LocalExecutor(
        tmp_path, ws.loaded.path, command=(sys.executable, str(script), str(seen))
    )
    engine = _engine(ws, executor)
    approval = _approve_manual(engine)

    started = engine.dispatch_due()
    again = engine.dispatch_due()
    engine.close(wait=True)

    assert started == [approval.id] and again == []
    assert json.loads(seen.read_text()) == [
        "run",
        "--decision",
        approval.decision_id,
        "--json",
        "--config",
        str(ws.loaded.path),
    ]
    assert _progress(ws) == [
        f"started `retrigger run --decision {approval.decision_id}` in {tmp_path}",
        "`retrigger run` exited 0, status promoted",
    ]


def test_a_stale_approval_is_not_run_and_a_new_one_is_requested(tmp_path: Path) -> None:
    clock = Clock()
    ws = _workspace(tmp_path, clock)
    moved = Snapshot("deadbeef", None, {})
    engine = _engine(ws, NoExecutor())
    approval = _approve_manual(engine)
    engine.executor = LocalExecutor(tmp_path, ws.loaded.path, command=("false",))
    engine.snapshot = lambda: moved

    assert engine.dispatch_due() == []
    engine.close(wait=True)

    with ws.store.transaction() as conn:
        old = approvals.get(conn, approval.id)
        pending = approvals.listing(conn, status=approvals.PENDING)
    assert old is not None and old.status == approvals.STALE
    assert [p.git_commit for p in pending] == ["deadbeef"]
    assert old.superseded_by == pending[0].id


def test_github_executor_dispatches_the_workflow_with_the_decision(tmp_path: Path) -> None:
    clock = Clock()
    ws = _workspace(tmp_path, clock)
    with running_fake_slack() as github:
        api = github.url.removesuffix("/api/")
        settings = GithubExecutorConfig(repo="acme/churn", workflow="retrain.yml", api_url=api)
        engine = _engine(ws, GithubExecutor(settings, "ghp-secret"))
        approval = _approve_manual(engine)
        engine.dispatch_due()
        engine.close(wait=True)
        call = github.wait_for("dispatches")[0]

    assert call.path == "/repos/acme/churn/actions/workflows/retrain.yml/dispatches"
    assert call.params == {"ref": "main", "inputs": {"decision_id": approval.decision_id}}
    assert call.headers["Authorization"] == "Bearer ghp-secret"
    assert _progress(ws)[-1].startswith("dispatched workflow retrain.yml on acme/churn@main")
    assert "ghp-secret" not in "".join(_progress(ws))


def test_github_executor_reports_refusals_and_outages_without_the_token(tmp_path: Path) -> None:
    said: list[str] = []
    approval = approvals.Approval(
        "a-1", "d-1", "churn", "approved", None, Clock()(), Clock()(), None, None
    )
    with running_fake_slack() as github:
        github.fail("dispatches", 404)
        settings = GithubExecutorConfig(repo="acme/churn", api_url=github.url)
        GithubExecutor(settings, "ghp-secret").execute(approval, said.append)
    down = GithubExecutorConfig(repo="acme/churn", api_url=refused_url())
    GithubExecutor(down, "ghp-secret").execute(approval, said.append)
    GithubExecutor(down, None).execute(approval, said.append)

    assert "HTTP 404" in said[0]
    assert "GitHub did not answer" in said[1]
    assert "GITHUB_TOKEN is not set" in said[2]
    assert "ghp-secret" not in " ".join(said)


def test_without_approval_a_manual_request_is_approved_by_policy_and_announced(
    tmp_path: Path,
) -> None:
    clock = Clock()
    ws = mini_workspace(tmp_path, clock)
    engine = _engine(ws, NoExecutor())

    reply = engine.command("UALICE", "churn", key="k")

    assert reply.startswith("retrain of `churn` requested (decision d-")
    with ws.store.transaction() as conn:
        ready = approvals.ready_to_dispatch(conn)
    assert [(a.status, a.decided_by, a.requested_by) for a in ready] == [
        ("approved", "policy", "UALICE")
    ]
    kinds = sqlite_rows(ws.root / ".retrigger" / "state.db", "SELECT kind FROM outbox")
    assert kinds == [("trigger_fired",)]
    assert engine.dispatch_due() == []  # executor none: a CI job runs `retrigger run --approved`


def test_a_request_id_is_remembered_long_enough_to_refuse_replays(tmp_path: Path) -> None:
    clock = Clock()
    ws = _workspace(tmp_path, clock)
    engine = _engine(ws, NoExecutor())

    first = engine.command("UALICE", "churn", key="trigger-1")
    replay = engine.command("UALICE", "churn", key="trigger-1")
    clock.advance(hours=2)
    engine.dispatch_due()

    assert first.startswith("asked for approval") and "already handled" in replay
    db = ws.root / ".retrigger" / "state.db"
    assert sqlite_rows(db, "SELECT count(*) FROM decisions") == [(1,)]
    assert sqlite_rows(db, "SELECT count(*) FROM inbound") == [(0,)]  # older than any replay
