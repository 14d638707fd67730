"""The bot's messages name the decision they are about as a link, and a ``/retrain`` request
shows its reason: request, decision, expiry and executor progress, read through slack_sdk's
Block Kit models, each link parsed and pointing at the configured MLflow UI or CI run."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from retrigger.approvals.approvers import Approvers
from retrigger.lineage.snapshot import Snapshot
from retrigger.notify.links import Where
from retrigger.notify.render import render
from retrigger.slack.engine import BotEngine
from retrigger.slack.executors import NoExecutor
from retrigger.store import approvals, outbox
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.support.workspaces import Clock, mini_workspace

UI = "http://127.0.0.1:5999/mlflow"
CI = "http://127.0.0.1:5998/acme/churn/actions/runs/12"


def _workspace(tmp_path: Path, clock: Clock) -> Workspace:
    config = mini_workspace(tmp_path).loaded.path
    config.write_text(config.read_text() + "policy: {approval: required}\n")
    ws = Workspace.load(config)
    ws.clock = clock
    return ws


def _messages(ws: Workspace, kind: str) -> list[dict[str, Any]]:
    found = sqlite_rows(
        ws.root / ".retrigger" / "state.db",
        f"SELECT payload FROM outbox WHERE kind = '{kind}' ORDER BY id",
    )
    return [json.loads(str(row[0])) for row in found]


def _links(kind: str, payload: dict[str, Any]) -> dict[str, str]:
    """The link buttons a person sees; every one parses and opens the UI or the CI run."""
    found = {
        str(getattr(button.text, "text", "")): str(button.url)
        for block in Block.parse_all(render(kind, payload).blocks)
        if isinstance(block, ActionsBlock)
        for button in block.elements
        if isinstance(button, ButtonElement) and button.url
    }
    for url in found.values():
        parts = urlsplit(url)
        assert parts.scheme == "http" and parts.hostname == "127.0.0.1", url
        assert url.startswith((UI + "/#/experiments/7", CI)), url
    return found


def test_a_retrain_request_shows_its_reason_and_every_approval_message_links_its_decision(
    tmp_path: Path,
) -> None:
    clock = Clock()
    ws = _workspace(tmp_path, clock)
    approvers = Approvers(["UBOB"], None, timedelta(minutes=5), ws.clock)
    engine = BotEngine(
        ws,
        approvers,
        NoExecutor(),
        snapshot=lambda: Snapshot("c0ffee", None, {}),
        where=Where(UI, "7", CI),
    )

    reply = engine.command("UALICE", "churn labels were fixed upstream", key="k1")
    first = reply.split()[3]
    (asked,) = _messages(ws, outbox.APPROVAL_REQUESTED)
    text = render(outbox.APPROVAL_REQUESTED, asked).text
    assert "requested by <@UALICE> because: labels were fixed upstream" in text
    decision = asked["decision_id"]
    assert decision in unquote(_links(outbox.APPROVAL_REQUESTED, asked)["Decision"])

    assert engine.click("UBOB", first, True).changed
    engine.report(approvals_get(ws, first), "started")
    second = engine.command("UALICE", "churn once more", key="k2").split()[3]
    clock.advance(hours=25)
    engine.dispatch_due()  # expires the second one
    engine.close(wait=True)

    (decided,) = _messages(ws, outbox.APPROVAL_DECIDED)
    (expired,) = _messages(ws, outbox.APPROVAL_EXPIRED)
    progress = _messages(ws, outbox.EXECUTOR_PROGRESS)[0]
    assert expired["approval_id"] == second
    for kind, payload in (
        (outbox.APPROVAL_DECIDED, decided),
        (outbox.APPROVAL_EXPIRED, expired),
        (outbox.EXECUTOR_PROGRESS, progress),
    ):
        shown = _links(kind, payload)
        assert payload["decision_id"] in unquote(shown["Decision"]), kind
        assert shown["CI run"] == CI


def approvals_get(ws: Workspace, approval_id: str) -> approvals.Approval:
    with ws.store.transaction() as conn:
        found = approvals.get(conn, approval_id)
    assert found is not None
    return found
