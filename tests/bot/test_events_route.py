"""The bot's HTTP server answers /events/<source> too (the same route as `retrigger serve`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.conftest import Bot, project, start_bot, stop_bot
from tests.events.conftest import SECRET, object_created, post, signed
from tests.support.fake_slack import FakeSlack

pytestmark = pytest.mark.slow


@pytest.fixture
def bot_with_events(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[Bot]:
    project(tmp_path / "project")
    running = start_bot(
        tmp_path / "project", fake_slack, env={"RETRAIN_EVENTS_WEBHOOK_SECRET": SECRET}
    )
    yield running
    stop_bot(running)


def test_the_bot_verifies_and_accepts_events_beside_slack(bot_with_events: Bot) -> None:
    body = object_created("s3://lake/churn/raw/part-0.parquet")

    accepted = post(bot_with_events.url + "/events/webhook", body, signed(body, "msg_1"))
    forged = post(
        bot_with_events.url + "/events/webhook",
        body,
        {**signed(body, "msg_2"), "webhook-id": "msg_3"},
    )
    unset = post(bot_with_events.url + "/events/mlflow", body, {})

    assert (accepted.status, accepted.json()) == (202, {"watched": 0, "objects": 1})
    assert (forged.status, forged.json()) == (401, {"error": "bad signature"})
    assert unset.status == 401
    assert unset.json() == {"error": "RETRAIN_EVENTS_MLFLOW_SECRET is not set on the server"}
    assert bot_with_events.slash("help").status == 200
