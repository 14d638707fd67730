"""The bot answers while Slack's Web API is away: started while ``auth.test`` is refused, rate
limited or says ``invalid_auth``, a signed ``/retrain`` or click still gets a fast 200, the
request is stored (the signing secret vouches for it, not ``auth.test``) and the reply says
what happens next."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.conftest import Bot, project, start_bot, stop_bot
from tests.support.fake_slack import FakeSlack, refused_url

pytestmark = pytest.mark.slow


def _approvals(bot: Bot) -> int:
    with sqlite3.connect(bot.root / ".retrigger" / "state.db") as db:
        return int(db.execute("SELECT count(*) FROM approvals").fetchone()[0])


@pytest.fixture(params=["refused", "429", "invalid_auth"])
def away_bot(
    request: pytest.FixtureRequest, tmp_path: Path, fake_slack: FakeSlack
) -> Iterator[Bot]:
    project(tmp_path / "project")
    env = {}
    if request.param == "refused":
        env["RETRIGGER_SLACK__API_URL"] = refused_url()
    elif request.param == "429":
        fake_slack.fail("auth.test", 429, retry_after=30, times=1000)
    else:
        fake_slack.fail("auth.test", error="invalid_auth", times=1000)
    running = start_bot(tmp_path / "project", fake_slack, env=env)
    yield running
    stop_bot(running)


def test_a_signed_retrain_is_stored_and_answered_while_slack_is_away(away_bot: Bot) -> None:
    answer = away_bot.slash("churn accuracy dropped after the March import")

    assert answer.status == 200, answer.body
    text = answer.json()["text"]
    assert text.startswith("asked for approval a-"), text
    assert "installation" not in text
    assert "approvers will see it in #ml-ops" in text  # queued: delivered when Slack is back
    assert _approvals(away_bot) == 1


def test_a_signed_click_is_decided_and_answered_while_slack_is_away(away_bot: Bot) -> None:
    text = away_bot.slash("churn drifted").json()["text"]
    approval_id = text.split()[3]

    answer = away_bot.click(approval_id, "UBOB")

    assert answer.status == 200, answer.body
    assert b"installation" not in answer.body
    with sqlite3.connect(away_bot.root / ".retrigger" / "state.db") as db:
        decided = db.execute("SELECT status, decided_by FROM approvals").fetchall()
    assert decided == [("approved", "UBOB")]
