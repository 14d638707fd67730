"""``retrigger bot --socket-mode`` against a local WebSocket fake of Slack's Socket Mode."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from tests.bot.conftest import APP, TEAM, project
from tests.conftest import sqlite_rows
from tests.support.fake_slack import FakeSlack

pytestmark = pytest.mark.slow


class SocketModeFake:
    """Says hello, hands the bot envelopes, and collects its acks (by envelope id)."""

    def __init__(self) -> None:
        self.outgoing: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: dict[str, dict[str, Any]] = {}
        self._acked = threading.Condition()
        self.headers: dict[str, str] = {}

    def handle(self, connection: ServerConnection) -> None:
        if connection.request is not None:
            self.headers = dict(connection.request.headers.raw_items())
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        reader = threading.Thread(target=self._read, args=(connection,), daemon=True)
        reader.start()
        while reader.is_alive():
            try:
                envelope = self.outgoing.get(timeout=0.2)
            except queue.Empty:
                continue
            connection.send(json.dumps(envelope))

    def _read(self, connection: ServerConnection) -> None:
        try:
            for message in connection:
                document = json.loads(message)
                with self._acked:
                    self.acks[document["envelope_id"]] = document
                    self._acked.notify_all()
        except ConnectionClosed:  # the bot was stopped: the end of the conversation
            return

    def ack_for(self, envelope_id: str, timeout: float = 20.0) -> dict[str, Any]:
        with self._acked:
            if not self._acked.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"no ack for {envelope_id} within {timeout}s")
            return self.acks[envelope_id]


@pytest.fixture
def socket_fake(fake_slack: FakeSlack) -> Iterator[SocketModeFake]:
    fake = SocketModeFake()
    with serve(fake.handle, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        fake_slack.socket_url = f"ws://127.0.0.1:{port}/link/?ticket=t"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield fake
        server.shutdown()


def _slash(envelope_id: str, text: str, team: str = TEAM) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "team_id": team,
            "api_app_id": APP,
            "user_id": "UALICE",
            "command": "/retrain",
            "text": text,
            "channel_id": "C0MLOPS",
            "trigger_id": f"trig-{envelope_id}",
            "response_url": "http://127.0.0.1:9/",
        },
    }


def test_socket_mode_takes_retrain_requests_over_the_websocket(
    tmp_path: Path, fake_slack: FakeSlack, socket_fake: SocketModeFake
) -> None:
    root = tmp_path / "project"
    project(root)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-sock",
        "SLACK_APP_TOKEN": "xapp-sock",
        "RETRIGGER_SLACK__API_URL": fake_slack.url,
    }
    env.pop("SLACK_SIGNING_SECRET", None)  # Socket Mode needs no signing secret
    bot = subprocess.Popen(
        [sys.executable, "-m", "retrigger", "bot", "--socket-mode"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        opened = fake_slack.wait_for("apps.connections.open", timeout=30)[0]
        assert opened.headers["Authorization"] == "Bearer xapp-sock"
        socket_fake.outgoing.put(_slash("e-1", "churn from the websocket"))
        socket_fake.outgoing.put(_slash("e-2", "churn; reboot"))
        socket_fake.outgoing.put(_slash("e-3", "churn elsewhere", team="TOTHER"))

        first = socket_fake.ack_for("e-1")
        second = socket_fake.ack_for("e-2")
        foreign = socket_fake.ack_for("e-3")
    finally:
        bot.terminate()
        _, err = bot.communicate(timeout=20)

    assert first["payload"]["text"].startswith("asked for approval a-")
    assert "Usage:" in second["payload"]["text"]
    assert "payload" not in foreign  # acknowledged so Slack stops, and otherwise ignored
    db = root / ".retrigger" / "state.db"
    assert sqlite_rows(db, "SELECT requested_by, reason FROM decisions") == [
        ("UALICE", "from the websocket")
    ]
    assert b"xapp-sock" not in err and b"xoxb-sock" not in err
    assert b"refused a payload from team 'TOTHER'" in err
