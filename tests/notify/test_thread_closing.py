"""A decision's first message is redrawn when its approval is settled or the decision ends: the
buttons give way to the outcome, the signals stay, the outcome's links join the original's
(against the fake Slack Web API over loopback; blocks read back through slack_sdk's models)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock

from retrigger.config.secrets import Secrets
from retrigger.notify.delivery import worker_for
from retrigger.store import outbox
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.support.fake_slack import FakeSlack
from tests.support.workspaces import Clock, mini_workspace

UI = "http://127.0.0.1:5999/mlflow"
SIGNAL = {"kind": "performance", "value": 0.71, "threshold": 0.85, "fired": True}


def _queue(ws: Workspace, kind: str, **payload: object) -> None:
    with ws.store.transaction() as conn:
        outbox.enqueue(
            conn,
            kind,
            {"model": "churn", "decision_id": "d-1", **payload},
            channel="#ml-ops",
            now=ws.clock(),
            thread_key="d-1",
        )


def _first_ts(ws: Workspace) -> str:
    rows = sqlite_rows(
        ws.root / ".retrigger" / "state.db", "SELECT delivered_ref FROM outbox ORDER BY id"
    )
    return str(rows[0][0])


def _read(blocks: list[dict[str, Any]]) -> tuple[str, dict[str, str], set[str]]:
    """Sections' text, link buttons (label → url) and action ids, through slack_sdk."""
    parsed = Block.parse_all(blocks)
    text = "\n".join(
        str(getattr(b.text, "text", "")) + "".join(str(f.text) for f in b.fields or [])
        for b in parsed
        if isinstance(b, SectionBlock)
    )
    buttons = [
        e
        for b in parsed
        if isinstance(b, ActionsBlock)
        for e in b.elements
        if isinstance(e, ButtonElement)
    ]
    links = {str(getattr(e.text, "text", "")): str(e.url) for e in buttons if e.url}
    actions = {str(e.action_id) for e in buttons if not e.url}
    return text, links, actions


def test_a_decided_approval_redraws_its_request_without_buttons_keeping_signals_and_links(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    asked = {"Decision": f"{UI}/#/experiments/7?searchFilter=d-1"}
    _queue(ws, outbox.APPROVAL_REQUESTED, approval_id="a-1", signals=[SIGNAL], links=asked)
    ci = {"CI run": "http://127.0.0.1:5998/acme/churn/actions/runs/9"}
    _queue(
        ws,
        outbox.APPROVAL_DECIDED,
        approval_id="a-1",
        status="approved",
        decided_by="UBOB",
        decided_at="2026-03-15T02:05:00",
        links=ci,
    )

    assert worker_for(ws, Secrets(slack_bot_token="xoxb-t")).deliver_due().delivered == 2

    (update,) = fake_slack.of("chat.update")
    assert update.params["ts"] == _first_ts(ws)
    text, links, actions = _read(update.params["blocks"])
    assert actions == set()  # nothing left to click
    assert "*Outcome:* Approval a-1 for *churn* approved by <@UBOB>" in text
    assert "0.71 vs 0.85" in text  # the alert it was still says why
    assert links == {**asked, **ci}
    for url in links.values():
        assert urlsplit(url).scheme == "http" and urlsplit(url).hostname == "127.0.0.1"
    reply = fake_slack.of("chat.postMessage")[1]
    assert reply.params["thread_ts"] == update.params["ts"]


def test_a_retrain_that_ends_redraws_the_alert_with_its_outcome(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    _queue(ws, outbox.TRIGGER_FIRED, trigger_types=["performance"], signals=[SIGNAL])
    _queue(ws, outbox.RETRAIN_STARTED)
    _queue(ws, outbox.RETRAIN_SUCCEEDED, version="3", links={"Registry v3": f"{UI}/#/models/x"})

    assert worker_for(ws, Secrets(slack_bot_token="xoxb-t")).deliver_due().delivered == 3

    (update,) = fake_slack.of("chat.update")  # started is no ending: one edit, at the end
    assert update.params["ts"] == _first_ts(ws)
    assert update.params["blocks"][0]["text"]["text"] == "churn: retrain succeeded"
    text, links, _ = _read(update.params["blocks"])
    assert "promoted version 3" in text and "performance — FIRED" in text
    assert links == {"Registry v3": f"{UI}/#/models/x"}
