"""``retrigger approve / reject / status`` on a real state store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrigger.approvals import flow as approval_flow
from retrigger.store import decisions, outbox
from retrigger.workspace import Workspace, utc_now
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.workspaces import fired_decision, mini_workspace


def _pending(ws: Workspace) -> str:
    now = utc_now()
    decision = fired_decision(now, requested_by="UALICE")
    with ws.store.transaction() as conn:
        decisions.save(conn, decision)
        return approval_flow.request(conn, decision, "UALICE", ws.config.slack, now).id


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return mini_workspace(tmp_path / "p")


def test_approve_decides_once_and_announces_it(ws: Workspace) -> None:
    approval_id = _pending(ws)
    config = str(ws.loaded.path)

    first = run_cli("approve", approval_id, "--config", config, "--json")
    second = run_cli("approve", approval_id, "--config", config)

    assert first.code == 0, first.err
    document = json.loads(first.out)
    assert document["status"] == "approved" and document["decided_by"].startswith("cli:")
    assert "Approval needed to retrain *churn*" in first.err  # console delivery, stderr
    assert f"Approval {approval_id} for *churn* approved by cli:" in first.err
    assert second.code == 2
    assert second.err.startswith("retrigger: error: already approved by cli:")
    assert second.err.rstrip().endswith("nothing changed")


def test_reject_needs_a_reason_and_unknown_ids_are_bad_input(ws: Workspace) -> None:
    approval_id = _pending(ws)
    config = str(ws.loaded.path)

    assert run_cli("reject", approval_id, "--config", config).code == 2
    rejected = run_cli("reject", approval_id, "--config", config, "--reason", "data is bad")
    unknown = run_cli("approve", "a-20990101T000000-000000", "--config", config)

    assert rejected.code == 0, rejected.err
    db = ws.root / ".retrigger" / "state.db"
    assert sqlite_rows(db, "SELECT status, reason FROM approvals") == [("rejected", "data is bad")]
    assert unknown.code == 2 and "no approval a-20990101T000000-000000" in unknown.err


def test_status_shows_pending_approvals_backlog_and_dead_letters(ws: Workspace) -> None:
    approval_id = _pending(ws)
    with ws.store.transaction() as conn:
        dead = outbox.enqueue(
            conn, outbox.DATA_ARRIVAL, {"model": "churn"}, channel="#gone", now=utc_now()
        )
        conn.exec_driver_sql(
            f"UPDATE outbox SET status = 'dead', last_error = 'channel_not_found' WHERE id = {dead}"
        )

    result = run_cli("status", "--config", str(ws.loaded.path), "--json")
    table = run_cli("status", "--config", str(ws.loaded.path))

    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert [a["approval_id"] for a in report["pending_approvals"]] == [approval_id]
    assert report["outbox"]["pending"] == 1
    assert [(d["channel"], d["last_error"]) for d in report["dead_letters"]] == [
        ("#gone", "channel_not_found")
    ]
    assert approval_id in table.out and "channel_not_found" in table.out
