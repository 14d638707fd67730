"""Approved means it runs, exactly once: the real bot (gunicorn) is killed with SIGKILL — with
its worker and the `retrigger run` child — at the moments that once lost an approved retrain,
then restarted; the retrain runs once, and Slack hears that it was resumed. Asking for the
approval and running it by hand are the CLI in-process: the processes killed are the bot's."""

from __future__ import annotations

import json
import time

import pytest

from tests.bot.conftest import Bot, kill_tree, start_bot, stop_bot
from tests.conftest import sqlite_rows
from tests.pipeline.test_crash_and_race import BLOCKING
from tests.support.cli import Result, run_cli
from tests.support.fake_slack import FakeSlack
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow

ENV = {"RETRIGGER_POLICY__APPROVAL": "required", "RETRIGGER_SLACK__APPROVERS": "[UBOB]"}


def _sql(project: Retrainable, query: str) -> list[tuple[object, ...]]:
    return sqlite_rows(project.root / ".retrigger" / "state.db", query)


def _ask(project: Retrainable, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """`retrigger run` under ``env`` (which the test's later processes get too): the approval
    request it stores and announces."""
    monkeypatch.chdir(project.root)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_cli("run", "--json", "--config", project.config)
    assert result.out.strip(), result.err
    outcome = json.loads(result.out)
    assert outcome["status"] == "awaiting-approval", result.err
    return str(outcome["approval_id"])


def _until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _promoted_once(project: Retrainable, fake: FakeSlack, bot: Bot) -> None:
    _until(
        lambda: ("promoted",) in _sql(project, "SELECT status FROM retrain_attempts"),
        400,
        "the approved retrain never ran after the restart:\n" + "".join(bot.log[-30:]),
    )
    statuses = [s for (s,) in _sql(project, "SELECT status FROM retrain_attempts")]
    assert statuses.count("promoted") == 1
    fake.wait_for(
        "chat.postMessage",
        where=lambda c: "resuming the approved retrain" in str(c.params.get("text")),
        timeout=60,
    )


def test_killed_after_dispatch_before_the_run_started(
    retrainable: Retrainable, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**ENV, "RETRIGGER_SLACK__EXECUTOR": "local", "RETRIGGER_SLACK__DISPATCH_LEASE": "3s"}
    approval_id = _ask(retrainable, env, monkeypatch)
    bot = start_bot(retrainable.root, fake_slack, env=env)
    assert bot.click(approval_id, "UBOB").status == 200
    _until(
        lambda: _sql(retrainable, "SELECT dispatched_at FROM approvals")[0][0] is not None,
        60,
        "the bot never dispatched",
    )
    kill_tree(bot)
    assert _sql(retrainable, "SELECT count(*) FROM retrain_attempts") == [(0,)]

    again = start_bot(retrainable.root, fake_slack, env=env)
    try:
        _promoted_once(retrainable, fake_slack, again)
    finally:
        stop_bot(again)


def test_killed_while_the_child_run_retrains(
    retrainable: Retrainable, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**ENV, "RETRIGGER_SLACK__EXECUTOR": "local", "RETRIGGER_PIPELINE__COMMAND": BLOCKING}
    approval_id = _ask(retrainable, env, monkeypatch)
    bot = start_bot(retrainable.root, fake_slack, env=env)
    assert bot.click(approval_id, "UBOB").status == 200
    started = retrainable.root / "started.log"
    _until(
        lambda: started.exists() and started.read_text().endswith("\n"),
        240,
        "the child run never reached its repro:\n" + "".join(bot.log[-30:]),
    )
    kill_tree(bot)
    assert _sql(retrainable, "SELECT status FROM retrain_attempts") == [("running",)]
    (retrainable.root / "release").touch()

    again = start_bot(retrainable.root, fake_slack, env=env)
    try:
        _promoted_once(retrainable, fake_slack, again)
    finally:
        stop_bot(again)
    assert _sql(retrainable, "SELECT status FROM retrain_attempts ORDER BY started_at") == [
        ("interrupted",),
        ("promoted",),
    ]


def test_killed_right_after_the_approval_with_the_none_executor(
    retrainable: Retrainable, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**ENV, "RETRIGGER_SLACK__EXECUTOR": "none"}
    approval_id = _ask(retrainable, env, monkeypatch)
    bot = start_bot(retrainable.root, fake_slack, env=env)
    assert bot.click(approval_id, "UBOB").status == 200
    kill_tree(bot)  # the approval is committed before the ack; nothing else happened
    assert _sql(retrainable, "SELECT status FROM approvals") == [("approved",)]

    def run_approved() -> Result:
        return run_cli("run", "--approved", "--json", "--config", retrainable.config)

    first, second = run_approved(), run_approved()

    assert first.code == 0, first.err
    assert [o["status"] for o in json.loads(first.out)["runs"]] == ["promoted"]
    assert second.code == 0 and json.loads(second.out)["runs"] == []
    assert _sql(retrainable, "SELECT status FROM retrain_attempts") == [("promoted",)]
