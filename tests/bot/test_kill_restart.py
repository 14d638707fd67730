"""Approved means it runs, exactly once: the real bot (gunicorn) is killed with SIGKILL — with
its worker and the `retrigger run` child — at the moments that once lost an approved retrain,
then restarted; the retrain runs once, and Slack hears that it was resumed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.bot.conftest import Bot, kill_tree, start_bot, stop_bot
from tests.conftest import sqlite_rows
from tests.pipeline.test_crash_and_race import BLOCKING
from tests.support.fake_slack import FakeSlack
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow

ENV = {"RETRIGGER_POLICY__APPROVAL": "required", "RETRIGGER_SLACK__APPROVERS": "[UBOB]"}


def _sql(project: Retrainable, query: str) -> list[tuple[object, ...]]:
    return sqlite_rows(project.root / ".retrigger" / "state.db", query)


def _ask(project: Retrainable, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "retrigger", "run", "--json", "--config", project.config],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, **env},
    )
    assert result.stdout.strip(), result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["status"] == "awaiting-approval", result.stderr
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
    retrainable: Retrainable, fake_slack: FakeSlack
) -> None:
    env = {**ENV, "RETRIGGER_SLACK__EXECUTOR": "local", "RETRIGGER_SLACK__DISPATCH_LEASE": "3s"}
    approval_id = _ask(retrainable, env)
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
    retrainable: Retrainable, fake_slack: FakeSlack
) -> None:
    env = {**ENV, "RETRIGGER_SLACK__EXECUTOR": "local", "RETRIGGER_PIPELINE__COMMAND": BLOCKING}
    approval_id = _ask(retrainable, env)
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
    retrainable: Retrainable, fake_slack: FakeSlack
) -> None:
    env = {**ENV, "RETRIGGER_SLACK__EXECUTOR": "none"}
    approval_id = _ask(retrainable, env)
    bot = start_bot(retrainable.root, fake_slack, env=env)
    assert bot.click(approval_id, "UBOB").status == 200
    kill_tree(bot)  # the approval is committed before the ack; nothing else happened
    assert _sql(retrainable, "SELECT status FROM approvals") == [("approved",)]

    def run_approved() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "retrigger",
                "run",
                "--approved",
                "--json",
                "--config",
                retrainable.config,
            ],
            cwd=retrainable.root,
            capture_output=True,
            text=True,
            timeout=400,
            env={**os.environ, **env},
        )

    first, second = run_approved(), run_approved()

    assert first.returncode == 0, first.stderr
    assert [o["status"] for o in json.loads(first.stdout)["runs"]] == ["promoted"]
    assert second.returncode == 0 and json.loads(second.stdout)["runs"] == []
    assert _sql(retrainable, "SELECT status FROM retrain_attempts") == [("promoted",)]
