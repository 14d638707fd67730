"""A fired decision nobody ran, replaced by a newer check on new data, says so in its thread and
its alert is redrawn with the outcome; a fired drift signal's chart and HTML report land in the
thread as files (real git, DVC, MLflow; Slack is the loopback fake)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from retrigger.demo import project
from retrigger.demo.data import rows, write_csv
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.fake_slack import Call, FakeSlack

pytestmark = pytest.mark.slow
UI = "http://127.0.0.1:5999/mlflow"


def _with_drift(root: Path) -> Path:
    config = root / "retrigger.yaml"
    text = config.read_text()
    config.write_text(text.replace("  schedule:", "  drift: {share: 0.1}\n  schedule:"))
    return config


def _more_data(root: Path) -> None:
    """Another batch arrives after the first alert: a new data version."""
    table = (
        rows(project.FIRST_ROWS, seed=7, shifted=False)
        + rows(project.NEW_ROWS, seed=11, shifted=True)
        + rows(500, seed=13, shifted=True)
    )
    write_csv(root / project.DATA_PATH, table)
    project.sh(root, "dvc", "add", "-q", project.DATA_PATH)
    project.sh(root, "git", "add", "-A")
    project.sh(root, "git", "commit", "-q", "-m", "data: 500 more rows")
    project.monitor(root)


def _check(config: Path) -> str:
    result = run_cli("check", "--config", str(config), "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["fire"] is True, document
    return str(document["decision_id"])


def _links(call: Call) -> dict[str, str]:
    return {
        str(getattr(button.text, "text", "")): str(button.url)
        for block in Block.parse_all(call.params["blocks"])
        if isinstance(block, ActionsBlock)
        for button in block.elements
        if isinstance(button, ButtonElement) and button.url
    }


def test_a_newer_check_closes_the_older_decisions_thread_and_redraws_its_alert(
    demo_project: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _with_drift(demo_project)
    project.degrade(demo_project)
    project.monitor(demo_project)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-check")
    monkeypatch.setenv("RETRIGGER_SLACK__API_URL", fake_slack.url)
    monkeypatch.setenv("RETRIGGER_TRACKING__UI_URL", UI)

    older = _check(config)
    (alert_ts,) = sqlite_rows(
        demo_project / ".retrigger" / "state.db",
        f"SELECT delivered_ref FROM outbox WHERE thread_key = '{older}' AND kind = 'trigger_fired'",
    )[0]
    _more_data(demo_project)
    newer = _check(config)

    (update,) = fake_slack.of("chat.update")
    assert update.params["ts"] == alert_ts
    assert update.params["blocks"][0]["text"]["text"] == "churn: decision superseded"
    assert f"superseded by decision {newer}" in update.params["text"]
    assert "drift — FIRED" in json.dumps(
        update.params["blocks"], ensure_ascii=False
    )  # the alert still says why
    (reply,) = fake_slack.of("chat.postMessage", lambda c: c.params.get("thread_ts") == alert_ts)
    assert (
        f"Decision {older} for *churn* was superseded by decision {newer}" in reply.params["text"]
    )
    for call in (update, reply):
        newer_link = _links(call)["Newer decision"]
        assert newer_link.startswith(f"{UI}/#/experiments/") and urlsplit(newer_link).netloc
        assert newer in unquote(newer_link)


def test_a_fired_drift_signal_uploads_its_html_report_into_the_decisions_thread(
    demo_project: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _with_drift(demo_project)
    project.degrade(demo_project)
    project.monitor(demo_project)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-check")
    monkeypatch.setenv("RETRIGGER_SLACK__API_URL", fake_slack.url)

    decision = _check(config)

    (alert_ts,) = sqlite_rows(
        demo_project / ".retrigger" / "state.db",
        f"SELECT delivered_ref FROM outbox WHERE thread_key = '{decision}' "
        "AND kind = 'trigger_fired'",
    )[0]
    completed = fake_slack.of("files.completeUploadExternal")
    titles = {
        json.loads(str(c.params["files"]))[0]["title"]: c.params.get("thread_ts") for c in completed
    }
    assert titles == {
        "churn: drift by column": alert_ts,
        "churn: drift report (HTML)": alert_ts,
    }
    bodies = [c.body for c in fake_slack.calls if c.path.startswith("/upload/")]
    assert any(b"<html" in body.lower() for body in bodies)  # the report's bytes, uploaded
