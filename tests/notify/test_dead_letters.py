"""Dead letters are not the end: an approval request that died is reported as undelivered, and
`retrigger outbox retry` re-queues and delivers it once Slack answers again (loopback fake)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrigger.approvals import flow as approval_flow
from retrigger.notify import deliver_pending
from retrigger.store import decisions
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.fake_slack import FakeSlack
from tests.support.workspaces import fired_decision, mini_workspace


def _requested(ws: Workspace) -> str:
    decision = fired_decision(ws.clock())
    with ws.store.transaction() as conn:
        decisions.save(conn, decision)
        return approval_flow.request(conn, decision, "UALICE", ws.config.slack, ws.clock()).id


def test_a_dead_approval_request_is_undelivered_until_retried(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    ws = mini_workspace(tmp_path, api_url=fake_slack.url, approvers=["UBOB"])
    approval_id = _requested(ws)
    config = str(ws.loaded.path)
    fake_slack.fail("chat.postMessage", error="channel_not_found")
    deliver_pending(ws, 5)  # what `retrigger run` does after asking: the request dies

    report = json.loads(run_cli("status", "--config", config, "--json").out)
    (pending,) = report["pending_approvals"]
    (dead,) = report["dead_letters"]
    assert pending["approval_id"] == approval_id and pending["undelivered"] == dead["id"]
    table = run_cli("status", "--config", config).out
    assert f"never delivered to Slack (dead letter {dead['id']})" in table
    assert f"retrigger outbox retry {dead['id']}" in table

    retried = run_cli("outbox", "retry", str(dead["id"]), "--config", config, "--json")

    assert retried.code == 0, retried.err
    assert json.loads(retried.out) == {
        "schema": "retrigger/outbox-retry/v1",
        "requeued": [dead["id"]],
    }
    assert sqlite_rows(
        tmp_path / ".retrigger" / "state.db", f"SELECT status FROM outbox WHERE id = {dead['id']}"
    ) == [("delivered",)]
    after = json.loads(run_cli("status", "--config", config, "--json").out)
    assert after["dead_letters"] == [] and after["pending_approvals"][0]["undelivered"] is None


def test_retry_needs_ids_or_all_and_refuses_unknown_ids(tmp_path: Path) -> None:
    config = str(mini_workspace(tmp_path).loaded.path)

    nothing = run_cli("outbox", "retry", "--config", config)
    unknown = run_cli("outbox", "retry", "999", "--config", config)
    everything = run_cli("outbox", "retry", "--all", "--config", config)

    assert nothing.code == 2 and "--all" in nothing.err
    assert unknown.code == 2 and "no dead letter 999" in unknown.err
    assert everything.code == 0 and "re-queued 0 dead letter(s)" in everything.out
