"""``retrigger check`` announces a firing decision through the outbox before it exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrigger.demo import project
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.fake_slack import FakeSlack


def test_a_firing_check_posts_to_slack_and_keeps_stdout_one_json(
    demo_project: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.degrade(demo_project)
    project.monitor(demo_project)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-check")
    monkeypatch.setenv("RETRIGGER_SLACK__API_URL", fake_slack.url)

    result = run_cli("check", "--config", str(demo_project / "retrigger.yaml"), "--json")

    document = json.loads(result.out)
    post = fake_slack.wait_for("chat.postMessage")[0].params
    assert post["channel"] == "#ml-ops"
    assert f"performance (decision {document['decision_id']})" in post["text"]
    assert "FIRED" in json.dumps(post["blocks"])
    rows = sqlite_rows(
        demo_project / ".retrigger" / "state.db", "SELECT kind, status, thread_key FROM outbox"
    )
    assert rows == [("trigger_fired", "delivered", document["decision_id"])]


def test_a_quiet_check_queues_nothing_and_without_a_token_prints_to_stderr(
    demo_project: Path,
) -> None:
    quiet = run_cli("check", "--config", str(demo_project / "retrigger.yaml"))
    assert quiet.err == ""

    project.degrade(demo_project)
    project.monitor(demo_project)
    fired = run_cli("check", "--config", str(demo_project / "retrigger.yaml"), "--json")

    assert json.loads(fired.out)["fire"] is True
    assert "[#ml-ops] Retrain trigger fired for *" in fired.err
