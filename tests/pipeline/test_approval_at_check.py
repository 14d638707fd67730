"""With ``policy.approval: required`` the message that announces a fired decision asks for the
approval: Approve / Reject in the first message, the requester's reason shown (real git, DVC,
MLflow; payloads read through slack_sdk's Block Kit models)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from retrigger.notify.render import APPROVE_ACTION, REJECT_ACTION, render
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow


def messages(project: Retrainable, after: int = 0) -> list[tuple[int, str, dict[str, Any]]]:
    rows = sqlite_rows(
        project.root / ".retrigger" / "state.db",
        f"SELECT id, kind, payload FROM outbox WHERE id > {after} AND kind != 'file_upload' "
        "ORDER BY id",
    )
    return [(int(str(i)), str(k), json.loads(str(p))) for i, k, p in rows]


def actions(kind: str, payload: dict[str, Any]) -> dict[str, str]:
    """action id → the approval the button decides."""
    return {
        str(button.action_id): str(button.value)
        for block in Block.parse_all(render(kind, payload).blocks)
        if isinstance(block, ActionsBlock)
        for button in block.elements
        if isinstance(button, ButtonElement) and button.action_id
    }


def test_a_firing_check_asks_for_approval_in_its_first_message(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_POLICY__APPROVAL", "required")
    seen = messages(retrainable)[-1][0]

    checked = run_cli("check", "--config", retrainable.config, "--json")

    assert checked.code == 0, checked.err
    decision_id = json.loads(checked.out)["decision_id"]
    # The fixture's own fired decision, never run, is superseded: its thread says so.
    ((_, kind, payload),) = [
        m for m in messages(retrainable, after=seen) if m[2]["decision_id"] == decision_id
    ]
    assert kind == "approval_requested"
    approval_id = payload["approval_id"]
    assert actions(kind, payload) == {APPROVE_ACTION: approval_id, REJECT_ACTION: approval_id}
    assert payload["signals"]  # the alert itself: values against thresholds

    ran = run_cli("run", "--config", retrainable.config, "--json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["approval_id"] == approval_id  # asked once, not again at run


def test_an_approval_request_shows_the_requesters_reason_and_links_the_decision(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_POLICY__APPROVAL", "required")
    monkeypatch.setenv("RETRIGGER_TRACKING__UI_URL", "http://127.0.0.1:5999")
    seen = messages(retrainable)[-1][0]

    forced = run_cli(
        "run",
        "--config",
        retrainable.config,
        "--force",
        "--reason",
        "labels were fixed",
        "--requested-by",
        "alice",
    )

    assert forced.code == 0, forced.err
    ((_, kind, payload),) = messages(retrainable, after=seen)
    assert kind == "approval_requested"
    assert "requested by alice because: labels were fixed" in render(kind, payload).text
    assert payload["links"]["Decision"].startswith("http://127.0.0.1:5999/#/experiments/")
