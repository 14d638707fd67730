"""``retrigger backtest --slack`` against the loopback Slack fake: the summary message, the
report uploaded into its thread, and what a missing token or an unreachable Slack does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.fake_slack import FakeSlack, refused_url


def uploaded(fake: FakeSlack) -> dict[str, bytes]:
    """File name → the bytes Slack received for it (files_upload_v2: name in step 1, bytes
    POSTed to the upload URL of step 2)."""
    names = {
        str(c.params["filename"]): int(c.params["length"])
        for c in fake.of("files.getUploadURLExternal")
    }
    bodies = [c.body for c in fake.calls if c.path.startswith("/upload/")]
    return {name: next(b for b in bodies if len(b) == size) for name, size in names.items()}


def test_the_summary_is_posted_and_the_report_uploaded_into_its_thread(
    history_project: tuple[Path, list[str]], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    root, _ = history_project
    page, png = tmp_path / "report.html", tmp_path / "report.png"

    result = run_cli(
        "backtest",
        "--config",
        str(root / "retrigger.yaml"),
        "--html",
        str(page),
        "--png",
        str(png),
        "--slack",
    )

    assert result.code == 0, result.err
    (message,) = fake_slack.of("chat.postMessage")
    assert message.params["channel"] == "#ml-ops"
    text = message.params["text"]
    assert "Backtest of `churn`: 10 commits replayed, 2026-01-01 12:00 UTC `" in text
    assert (
        "Configured policy: 4 replayed retrains; held back 2 times "
        "(1 by cooldown, 1 by identical inputs);" in text
    )
    assert "1 real retrain in the same period" in text
    (complete,) = fake_slack.of("files.completeUploadExternal")
    assert complete.params["thread_ts"] == "1700000000.000001"  # the message's ts
    assert complete.params["channel_id"] == "CML-OPS"  # the id chat.postMessage answered
    assert uploaded(fake_slack) == {
        "report.html": page.read_bytes(),
        "report.png": png.read_bytes(),
    }
    assert "posted to Slack CML-OPS" in result.out


def test_a_what_if_is_named_with_both_counts_and_the_page_made_for_the_upload(
    history_project: tuple[Path, list[str]], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    root, _ = history_project

    result = run_cli(
        "backtest",
        "--config",
        str(root / "retrigger.yaml"),
        "--set",
        "policy.cooldown=0s",
        "--compare",
        "--json",
        "--slack",
    )

    assert result.code == 0, result.err
    document = json.loads(result.out)  # stdout stays one JSON document
    text = fake_slack.of("chat.postMessage")[0].params["text"]
    configured, what_if = document["configured"], document["what_if"]
    assert f"Configured policy: {configured['retrains']} replayed retrains;" in text
    assert f"What-if `policy.cooldown=0s`: {what_if['retrains']} replayed retrains;" in text
    for diff in document["differences"]:
        assert f"differs at `{diff['commit'][:8]}` ({diff['time'][:10]} " in text
    (name,) = uploaded(fake_slack)
    assert name == "backtest.html"  # no --html: a page is still made, for Slack only
    assert b"<html" in uploaded(fake_slack)[name].lower()
    assert not list(tmp_path.glob("*.html"))


def test_without_a_token_it_exits_2_with_one_line_before_replaying(
    history_project: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = history_project
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)

    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), "--slack")

    assert result.code == 2
    assert result.err.count("\n") == 1 and "SLACK_BOT_TOKEN" in result.err
    assert result.out == ""  # no replay table: refused before the work


@pytest.mark.parametrize("fault", ["refused", "not_in_channel", "upload"])
def test_slack_unreachable_leaves_the_report_and_one_warning(
    history_project: tuple[Path, list[str]],
    tmp_path: Path,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    root, _ = history_project
    page = tmp_path / "report.html"
    if fault == "refused":
        monkeypatch.setenv("RETRIGGER_SLACK__API_URL", refused_url())
    elif fault == "upload":
        fake_slack.fail("files.getUploadURLExternal", 500)
    else:
        fake_slack.fail("chat.postMessage", error="not_in_channel")

    result = run_cli(
        "backtest", "--config", str(root / "retrigger.yaml"), "--html", str(page), "--slack"
    )

    assert result.code == 1  # the files and the table are there; the post failed, and says so
    assert "<html" in page.read_text(encoding="utf-8").lower()  # the report is written
    assert result.err.count("\n") == 1
    assert result.err.startswith("retrigger: error: the backtest was not posted to Slack: ")
    expected = {
        "refused": "Connection refused",
        "not_in_channel": "Slack refused the message: not_in_channel",
        "upload": "message posted, but Slack refused the upload: internal_error",
    }[fault]
    assert expected in result.err and "xoxb-backtest" not in result.err
    assert "replayed retrains" in result.out  # the table is printed as usual
