"""The bot as Slack sees it: signed requests over real HTTP to a running gunicorn process."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from retrigger.approvals import flow as approval_flow
from retrigger.store import decisions
from retrigger.workspace import Workspace, utc_now
from tests.bot.conftest import APP, SECRET, TOKEN, Bot
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.workspaces import fired_decision

pytestmark = pytest.mark.slow


def _db(bot: Bot) -> Path:
    return bot.root / ".retrigger" / "state.db"


def _count(bot: Bot, table: str) -> int:
    return int(str(sqlite_rows(_db(bot), f"SELECT count(*) FROM {table}")[0][0]))


def _counts(bot: Bot) -> tuple[int, ...]:
    return tuple(_count(bot, t) for t in ("decisions", "approvals", "outbox", "audit", "inbound"))


def _pending_approval(bot: Bot, requested_by: str = "UALICE", ttl: timedelta | None = None) -> str:
    """An approval stored the way `retrigger run` stores one, in the bot's state store."""
    workspace = Workspace.load(bot.root / "retrigger.yaml")
    slack = workspace.config.slack
    if ttl is not None:
        slack = slack.model_copy(update={"approval_ttl": ttl})
    now = utc_now()
    decision = fired_decision(now, requested_by=requested_by)
    with workspace.store.transaction() as conn:
        decisions.save(conn, decision)
        approval = approval_flow.request(conn, decision, requested_by, slack, now)
    workspace.store.close()
    return approval.id


def test_retrain_request_is_stored_before_the_ack_and_announced_with_buttons(bot: Bot) -> None:
    answer = bot.slash("churn accuracy dropped after the March import")

    assert answer.status == 200
    text = answer.json()["text"]
    assert text.startswith("asked for approval a-")
    assert _counts(bot)[:2] == (1, 1)  # committed before the ack
    post = bot.fake.wait_for("chat.postMessage")[0]
    assert post.params["channel"] == "#ml-ops"
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    buttons = next(
        b for b in post.params["blocks"] if str(b.get("block_id", "")).startswith("approval:")
    )["elements"]
    assert [e["action_id"] for e in buttons] == ["retrigger_approve", "retrigger_reject"]
    assert "requested by <@UALICE>" in post.params["text"]


def test_status_history_and_help_answer_ephemerally(bot: Bot) -> None:
    bot.slash("churn first")
    status = bot.slash("status churn").json()["text"]
    history = bot.slash("history churn manual 7d").json()["text"]
    helped = bot.slash("help").json()["text"]

    assert "pending approval a-" in status
    assert "1 fired decision(s) in the last 7d" in history and "manual" in history
    assert "/retrain <model> [reason]" in helped
    assert "`churn`" in helped


@pytest.mark.parametrize(
    "text",
    [
        "churn; rm -rf /",
        "churn $(reboot)",
        "churn `id`",
        "churn && curl x | sh",
        "churn " + "a" * 10_000,
        "fraud-model now",
        "churn drop\x00ped",  # PostgreSQL refuses a NUL in text: refused before any store
        "churn \u202egnp.exe",
    ],
)
def test_dangerous_or_unknown_text_gets_the_usage_and_stores_nothing(bot: Bot, text: str) -> None:
    before = _counts(bot)
    answer = bot.slash(text)
    assert answer.status == 200
    assert "Usage:" in answer.json()["text"]
    assert _counts(bot) == before


def test_forged_stale_and_oversized_requests_are_refused_and_store_nothing(bot: Bot) -> None:
    body = bot.slash_body("churn please")
    now = int(time.time())
    before = _counts(bot)

    assert bot.post(body, {"X-Slack-Signature": "v0=" + "0" * 64}).status == 401
    assert bot.post(body, timestamp=now - 6 * 60).status == 401
    assert bot.post(body, timestamp=now + 6 * 60).status == 401
    assert bot.post(body, signed=False).status == 401
    assert (
        bot.post(
            body, {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=abc"}, signed=False
        ).status
        == 401
    )
    assert bot.post(b"x" * (1024 * 1024 + 1)).status == 413
    assert bot.post(bot.slash_body("churn x", team="TOTHER")).status == 403
    assert bot.post(bot.slash_body("churn x", app="AOTHER")).status == 403
    assert bot.post(bot.click_body("a-20260315T020000-abcdef", "UBOB", team="TOTHER")).status == 403
    assert _counts(bot) == before
    logs = "".join(bot.log)
    assert SECRET not in logs and TOKEN not in logs
    assert "Traceback" not in logs


def test_a_replayed_slash_command_changes_nothing_twice(bot: Bot) -> None:
    body = bot.slash_body("churn once")
    headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    first, second = bot.post(body), bot.post(body, headers)

    assert first.json()["text"].startswith("asked for approval")
    assert "already handled" in second.json()["text"]
    assert _counts(bot)[:2] == (1, 1)


def test_clicks_from_outsiders_and_self_approval_are_refused_with_an_audit_record(bot: Bot) -> None:
    approval_id = _pending_approval(bot, requested_by="UBOB")

    assert bot.click(approval_id, "UMALLORY").status == 200
    assert bot.click(approval_id, "UBOB").status == 200

    said = [c.params["text"] for c in bot.fake.wait_for("chat.postEphemeral", 2)]
    assert any("not an approver" in t for t in said)
    assert any("four-eyes" in t for t in said)
    refused = sqlite_rows(
        _db(bot), "SELECT actor, detail FROM audit WHERE action = 'approval.refused' ORDER BY id"
    )
    assert [(a, json.loads(str(d))["why"]) for a, d in refused] == [
        ("UMALLORY", "not-approver"),
        ("UBOB", "self-approval"),
    ]
    assert sqlite_rows(_db(bot), "SELECT status FROM approvals") == [("pending",)]


def test_concurrent_clicks_decide_once_and_the_others_hear_who_won(bot: Bot) -> None:
    approval_id = _pending_approval(bot)
    clickers = ["UBOB", "UCAROL"] * 5
    statuses: list[int] = []
    start = threading.Barrier(len(clickers))

    def click(user: str) -> None:
        start.wait(timeout=10)
        statuses.append(bot.click(approval_id, user).status)

    threads = [threading.Thread(target=click, args=(user,)) for user in clickers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [200] * len(clickers)
    decided = sqlite_rows(_db(bot), "SELECT status, decided_by FROM approvals")
    assert decided[0][0] == "approved"
    assert sqlite_rows(
        _db(bot), "SELECT count(*) FROM audit WHERE action = 'approval.approved'"
    ) == [(1,)]
    said = [c.params["text"] for c in bot.fake.wait_for("chat.postEphemeral", len(clickers))]
    assert sum(t.startswith("approved ") for t in said) == 1
    # The winner is named as a person: a mention Slack shows as their display name.
    assert sum(t.startswith(f"already approved by <@{decided[0][1]}> at ") for t in said) == 9
    update = bot.fake.wait_for("chat.update")[0]  # the buttons are replaced, once
    assert "actions" not in json.dumps(update.params["blocks"])
    assert f"approved by <@{decided[0][1]}>" in update.params["text"]


def test_a_click_on_an_expired_approval_expires_it_and_replaces_the_buttons(bot: Bot) -> None:
    approval_id = _pending_approval(bot, ttl=timedelta(seconds=-1))
    bot.fake.wait_for("chat.postMessage")

    assert bot.click(approval_id, "UBOB").status == 200

    said = bot.fake.wait_for("chat.postEphemeral")[0].params["text"]
    # The click or the bot's own expiry round, whichever came first, expired it.
    assert re.match(rf"approval {approval_id} (already )?expired at ", said)
    assert sqlite_rows(_db(bot), "SELECT status FROM approvals") == [("expired",)]
    assert "expired without a decision" in bot.fake.wait_for("chat.update")[0].params["text"]


def test_healthz_and_unknown_paths(bot: Bot) -> None:
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(bot.url + "/healthz", timeout=5) as response:
        assert json.loads(response.read()) == {"ok": True}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(bot.url + "/admin", timeout=5)
    assert refused.value.code == 404


def test_http_mode_refuses_to_start_without_a_signing_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.bot.conftest import project

    config = project(tmp_path / "p")
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    result = run_cli("bot", "--config", str(config))
    assert result.code == 2
    assert "SLACK_SIGNING_SECRET" in result.err
    assert APP not in result.err and TOKEN not in result.err


def test_an_approval_nobody_answers_expires_and_loses_its_buttons(bot: Bot) -> None:
    approval_id = _pending_approval(bot, ttl=timedelta(seconds=-1))

    # No click: the bot's own round (every few seconds) expires it and edits the request.
    update = bot.fake.wait_for("chat.update", timeout=20)[0]

    assert "expired without a decision" in update.params["text"]
    assert "actions" not in json.dumps(update.params["blocks"])
    assert sqlite_rows(_db(bot), f"SELECT status FROM approvals WHERE id = '{approval_id}'") == [
        ("expired",)
    ]
