"""Signed but malformed requests, over real HTTP to the gunicorn bot: 400, nothing stored, never
a 500 — including the shapes that once stored an approval decision and then answered 500."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.bot.conftest import APP, TEAM, Bot
from tests.bot.test_http import _counts, _db, _pending_approval
from tests.conftest import sqlite_rows

pytestmark = pytest.mark.slow


def _form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def _click(approval_id: str, **changes: Any) -> bytes:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "UBOB"},
        "api_app_id": APP,
        "channel": {"id": "C0MLOPS"},
        "trigger_id": "t-1",
        "actions": [
            {
                "type": "button",
                "action_id": "retrigger_approve",
                "value": approval_id,
                "block_id": f"approval:{approval_id}",
            }
        ],
    }
    payload.update(changes)
    return _form(payload=json.dumps(payload))


def _slash(**changes: str) -> bytes:
    fields = {
        "team_id": TEAM,
        "api_app_id": APP,
        "channel_id": "C0MLOPS",
        "user_id": "UALICE",
        "command": "/retrain",
        "text": "churn please",
        "trigger_id": "trig-x",
    }
    fields.update(changes)
    return _form(**{k: v for k, v in fields.items() if v is not None})


def _shapes(approval_id: str) -> dict[str, tuple[bytes, str]]:
    form = "application/x-www-form-urlencoded"
    return {
        "payload not JSON": (_form(payload="{not json"), form),
        "payload a list": (_form(payload="[1, 2]"), form),
        "payload null": (_form(payload="null"), form),
        "payload nested past the recursion limit": (_form(payload="[" * 50_000), form),
        "body not UTF-8": (b"payload=\xff\xfe\xfd", form),
        "JSON body a list": (b"[1]", "application/json"),
        "user a string": (_click(approval_id, user="UBOB"), form),
        "no user id": (_click(approval_id, user={}), form),
        "user id empty": (_click(approval_id, user={"id": ""}), form),
        "actions empty": (_click(approval_id, actions=[]), form),
        "actions a string": (_click(approval_id, actions="approve"), form),
        "action not an object": (_click(approval_id, actions=["x"]), form),
        "channel a string": (_click(approval_id, channel="C0MLOPS"), form),
        "team a string": (_click(approval_id, team=TEAM), form),
        "authorizations a string": (_click(approval_id, authorizations="x"), form),
        "an unhandled type": (_click(approval_id, type="view_submission"), form),
        "slash without user id": (_slash(user_id=""), form),
        "slash with no user_id field": (_slash(user_id=None), form),  # type: ignore[arg-type]
    }


def test_every_malformed_shape_is_400_and_changes_nothing(bot: Bot) -> None:
    approval_id = _pending_approval(bot, requested_by="UALICE")
    before = _counts(bot)
    answers = {}

    for name, (body, content_type) in _shapes(approval_id).items():
        answer = bot.post(body, {"Content-Type": content_type})
        answers[name] = (answer.status, answer.json())

    assert {name: status for name, (status, _) in answers.items()} == {
        name: 400 for name in answers
    }
    assert all("could not read this request" in doc["error"] for _, doc in answers.values())
    assert _counts(bot) == before
    assert sqlite_rows(_db(bot), "SELECT status FROM approvals") == [("pending",)]
    logs = "".join(bot.log)
    assert "Traceback" not in logs and " 500 " not in logs


def test_a_well_formed_click_after_the_refusals_still_decides(bot: Bot) -> None:
    approval_id = _pending_approval(bot, requested_by="UALICE")
    assert bot.post(_click(approval_id, channel="C0MLOPS")).status == 400

    answer = bot.post(_click(approval_id))

    assert answer.status == 200
    assert sqlite_rows(_db(bot), "SELECT status, decided_by FROM approvals") == [
        ("approved", "UBOB")
    ]


def test_url_verification_still_answers_its_challenge(bot: Bot, tmp_path: Path) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"}).encode()

    answer = bot.post(body, {"Content-Type": "application/json"})

    assert answer.status == 200
    assert b"c-123" in answer.body
