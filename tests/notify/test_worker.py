"""The outbox worker against the fake Slack Web API over loopback HTTP."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from retrigger.config.secrets import Secrets
from retrigger.notify.delivery import deliver_pending, worker_for
from retrigger.notify.worker import Worker
from retrigger.store import outbox
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.support.fake_slack import Call, FakeSlack, refused_url
from tests.support.workspaces import Clock, mini_workspace

TOKEN = "xoxb-test-token-never-logged"
SECRETS = Secrets(slack_bot_token=TOKEN)


def _queue(
    ws: Workspace, kind: str, channel: str = "#ml-ops", key: str | None = "d-1", **payload: object
) -> int:
    with ws.store.transaction() as conn:
        return outbox.enqueue(
            conn,
            kind,
            {"model": "churn", "decision_id": key, **payload},
            channel=channel,
            now=ws.clock(),
            thread_key=key,
        )


def _rows(ws: Workspace) -> list[tuple[object, ...]]:
    return sqlite_rows(
        ws.root / ".retrigger" / "state.db",
        "SELECT id, status, attempts, last_error, delivered_ref FROM outbox ORDER BY id",
    )


def _worker(ws: Workspace) -> Worker:
    return worker_for(ws, SECRETS)


def test_messages_about_one_decision_share_a_thread(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    _queue(ws, outbox.TRIGGER_FIRED, trigger_types=["drift"])
    _queue(ws, outbox.APPROVAL_REQUESTED, approval_id="a-1")
    _queue(ws, outbox.DATA_ARRIVAL, key=None, data_version="v2")

    tally = _worker(ws).deliver_due()

    posts = fake_slack.of("chat.postMessage")
    assert tally.delivered == 3
    first_ts = _rows(ws)[0][4]
    assert first_ts is not None
    assert [p.params.get("thread_ts") for p in posts] == [None, first_ts, None]
    # The approval buttons are a thread reply that is also shown in the channel.
    assert [p.params.get("reply_broadcast") for p in posts] == [None, True, None]
    assert "drift" in posts[0].params["text"]
    actions = [b for b in posts[1].params["blocks"] if b.get("block_id") == "approval:a-1"]
    buttons = actions[0]["elements"]
    assert [b["value"] for b in buttons] == ["a-1", "a-1"]
    assert posts[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert [row[1] for row in _rows(ws)] == ["delivered"] * 3


def test_rate_limit_delays_only_its_channel_and_keeps_order(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    first = _queue(ws, outbox.TRIGGER_FIRED, channel="#a", key="d-a")
    _queue(ws, outbox.RETRAIN_STARTED, channel="#a", key="d-a")
    _queue(ws, outbox.TRIGGER_FIRED, channel="#b", key="d-b")
    fake_slack.fail(
        "chat.postMessage",
        429,
        retry_after=30,
        when=lambda call: call.params.get("channel") == "#a",
    )
    worker = _worker(ws)

    tally = worker.deliver_due()

    assert (tally.delivered, tally.retried) == (1, 1)
    assert [c.params["channel"] for c in fake_slack.of("chat.postMessage")] == ["#a", "#b"]
    assert worker.next_due() == clock.now + timedelta(seconds=30)
    clock.advance(seconds=29)
    assert worker.deliver_due().delivered == 0
    clock.advance(seconds=1)
    assert worker.deliver_due().delivered == 2
    posts = [c.params for c in fake_slack.of("chat.postMessage") if c.params["channel"] == "#a"]
    assert [p["text"].split()[0] for p in posts] == ["Retrain", "Retrain", "Retrain"]
    assert posts[2].get("thread_ts") == _rows(ws)[first - 1][4]


def test_a_backlog_goes_out_at_one_message_per_second_per_channel_oldest_first(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    for n in range(4):  # what piled up while Slack was down
        _queue(ws, outbox.TRIGGER_FIRED, channel="#a", key=f"a-{n}")
    _queue(ws, outbox.TRIGGER_FIRED, channel="#b", key="b-0")

    assert _worker(ws).deliver_due().delivered == 5

    texts = [c.params["text"] for c in fake_slack.of("chat.postMessage", _in("#a"))]
    assert [text.split("(decision ")[1][:3] for text in texts] == ["a-0", "a-1", "a-2", "a-3"]
    sent = sqlite_rows(
        ws.root / ".retrigger" / "state.db",
        "SELECT channel, delivered_at FROM outbox ORDER BY id",
    )
    at_a = [datetime.fromisoformat(str(at)) for channel, at in sent if channel == "#a"]
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(at_a)] == [1.0] * 3
    # Waiting for #a's pace did not hold #b back further: its one message needed no wait.
    assert clock.slept == [1.0] * 3


def _in(channel: str) -> Callable[[Call], bool]:
    return lambda call: call.params.get("channel") == channel


def test_a_huge_retry_after_is_capped_at_15_minutes(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    _queue(ws, outbox.TRIGGER_FIRED)
    fake_slack.fail("chat.postMessage", 429, retry_after=86400)  # "come back tomorrow"
    worker = _worker(ws)

    assert worker.deliver_due().retried == 1
    assert worker.next_due() == clock.now + timedelta(minutes=15)
    clock.advance(seconds=15 * 60)
    assert worker.deliver_due().delivered == 1


def test_server_errors_and_refused_connections_are_retried_with_backoff(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    _queue(ws, outbox.TRIGGER_FIRED)
    fake_slack.fail("chat.postMessage", 500, times=2)
    worker = _worker(ws)

    worker.deliver_due()
    clock.advance(seconds=2)
    worker.deliver_due()
    assert _rows(ws)[0][1:4] == ("pending", 2, "HTTP 500 internal_error")
    assert worker.next_due() == clock.now + timedelta(seconds=4)
    clock.advance(seconds=4)
    worker.deliver_due()

    assert _rows(ws)[0][1:3] == ("delivered", 3)

    down = mini_workspace(tmp_path / "down", clock, api_url=refused_url())
    _queue(down, outbox.TRIGGER_FIRED)
    assert worker_for(down, SECRETS).deliver_due().retried == 1
    assert _rows(down)[0][1] == "pending"
    assert "connection failed" in str(_rows(down)[0][3])


def test_permanent_errors_go_to_dead_letters_without_blocking_the_channel(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    _queue(ws, outbox.TRIGGER_FIRED, key="d-1")
    _queue(ws, outbox.TRIGGER_FIRED, key="d-2")
    fake_slack.fail("chat.postMessage", error="invalid_auth")

    tally = _worker(ws).deliver_due()

    assert (tally.dead, tally.delivered) == (1, 1)
    rows = _rows(ws)
    assert rows[0][1:4] == ("dead", 1, "invalid_auth")
    assert rows[1][1] == "delivered"
    assert TOKEN not in repr(rows)


def test_two_workers_never_deliver_one_message_twice(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    for n in range(20):
        _queue(ws, outbox.TRIGGER_FIRED, key=f"d-{n}", channel=f"#c{n % 3}")
    workers = [_worker(mini_workspace(tmp_path, clock, api_url=fake_slack.url)) for _ in range(3)]
    threads = [threading.Thread(target=w.deliver_due) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    texts = [c.params["text"] for c in fake_slack.of("chat.postMessage")]
    assert len(texts) == len(set(texts)) == 20


def test_deliver_pending_waits_for_a_short_retry_after_within_its_deadline(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    ws = mini_workspace(tmp_path, api_url=fake_slack.url)
    _queue(ws, outbox.TRIGGER_FIRED)
    fake_slack.fail("chat.postMessage", 429, retry_after=0.2)
    assert deliver_pending(ws, 5.0, secrets=SECRETS).delivered == 1

    _queue(ws, outbox.TRIGGER_FIRED, key="d-2")
    fake_slack.fail("chat.postMessage", 429, retry_after=60)
    tally = deliver_pending(ws, 0.5, secrets=SECRETS)
    assert (tally.delivered, tally.retried) == (0, 1)
    assert _rows(ws)[-1][1] == "pending"


def test_without_a_token_messages_go_to_the_console(tmp_path: Path, capsys: object) -> None:
    ws = mini_workspace(tmp_path)
    _queue(ws, outbox.TRIGGER_FIRED, trigger_types=["schedule"])
    _queue(ws, outbox.RETRAIN_SUCCEEDED, metric="accuracy", metric_before=0.8, metric_after=0.9)

    tally = deliver_pending(ws, 1.0, secrets=Secrets())

    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert tally.delivered == 2
    assert "[#ml-ops] Retrain trigger fired for *churn*: schedule" in err
    assert "↳ Retrain of *churn* succeeded (decision d-1): accuracy 0.8 → 0.9" in err


def test_a_proxy_error_page_is_retried_not_fatal(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    _queue(ws, outbox.TRIGGER_FIRED)
    fake_slack.fail("chat.postMessage", 502, raw=b"<html>Bad Gateway</html>")
    worker = _worker(ws)

    assert worker.deliver_due().retried == 1
    assert _rows(ws)[0][1] == "pending"
    clock.advance(seconds=2)
    assert worker.deliver_due().delivered == 1


class _Broken:
    def post(self, channel: str, message: object, thread_ts: str | None) -> object:
        raise RuntimeError("a bug in a transport")

    def update(self, channel_id: str, ts: str, message: object) -> None:
        return None


def test_an_unexpected_failure_leaves_the_message_queued_and_unclaimed(
    tmp_path: Path, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock)
    _queue(ws, outbox.TRIGGER_FIRED)

    tally = Worker(ws.store, _Broken(), clock).deliver_due()  # type: ignore[arg-type]

    assert tally.retried == 1
    assert _rows(ws)[0][1:4] == ("pending", 1, "RuntimeError")
    claimed = sqlite_rows(ws.root / ".retrigger" / "state.db", "SELECT claimed_until FROM outbox")
    assert claimed == [(None,)]


def test_a_drift_chart_is_uploaded_once_into_the_thread_and_retried_on_429(
    tmp_path: Path, fake_slack: FakeSlack, clock: Clock
) -> None:
    ws = mini_workspace(tmp_path, clock, api_url=fake_slack.url)
    chart = tmp_path / "drift.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    _queue(ws, outbox.TRIGGER_FIRED, trigger_types=["drift"])
    _queue(ws, outbox.FILE_UPLOAD, path=str(chart), title="drift by column")
    fake_slack.fail("files.getUploadURLExternal", 429, retry_after=5)
    worker = _worker(ws)

    first = worker.deliver_due()
    clock.advance(seconds=5)
    second = worker.deliver_due()
    third = worker.deliver_due()

    assert (first.delivered, first.retried, second.delivered, third.delivered) == (1, 1, 1, 0)
    (upload,) = [c for c in fake_slack.calls if c.path.startswith("/upload/")]
    assert upload.body.endswith(bytes(range(256)))  # the file's bytes, once
    (complete,) = fake_slack.of("files.completeUploadExternal")
    thread_ts = _rows(ws)[0][4]
    assert complete.params["thread_ts"] == thread_ts
    (channel_id,) = sqlite_rows(
        ws.root / ".retrigger" / "state.db", "SELECT delivered_channel FROM outbox WHERE id = 1"
    )[0]
    assert complete.params["channel_id"] == channel_id != "#ml-ops"  # an id, as Slack wants
    assert [row[1] for row in _rows(ws)] == ["delivered", "delivered"]
