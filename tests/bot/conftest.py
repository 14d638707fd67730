"""A real ``retrigger bot`` process (gunicorn) on loopback, talking to the fake Slack, and a
client that sends it signed requests the way Slack does."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_slack import FakeSlack, running_fake_slack, sign
from tests.support.retrain import degraded_template, retrainable  # noqa: F401
from tests.support.workspaces import write_config

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-bot-token"
TEAM, APP = "T0TEAM", "A0APP"
SLACK = {
    "approvers": ["UBOB", "UCAROL"],
    "four_eyes": True,
    "team_id": TEAM,
    "api_app_id": APP,
    "channel": "#ml-ops",
}


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Bot:
    url: str
    root: Path
    fake: FakeSlack
    process: subprocess.Popen[bytes]
    log: list[str] = field(default_factory=list)
    _n: int = 0

    def post(
        self,
        body: bytes,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timestamp: int | None = None,
    ) -> Answer:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            all_headers.update(sign(SECRET, body, timestamp))
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.url + "/slack/events", data=body, method="POST", headers=all_headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.read())

    def slash_body(
        self, text: str, user: str = "UALICE", team: str = TEAM, app: str = APP
    ) -> bytes:
        self._n += 1
        return urllib.parse.urlencode(
            {
                "token": "legacy",
                "team_id": team,
                "team_domain": "test",
                "channel_id": "C0MLOPS",
                "channel_name": "ml-ops",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/retrain",
                "text": text,
                "api_app_id": app,
                "response_url": self.fake.url + "response",
                "trigger_id": f"trig-{self._n}-{user}",
            }
        ).encode()

    def slash(self, text: str, user: str = "UALICE", **kwargs: str) -> Answer:
        return self.post(self.slash_body(text, user, **kwargs))

    def click_body(
        self, approval_id: str, user: str, approve: bool = True, team: str = TEAM
    ) -> bytes:
        action = "retrigger_approve" if approve else "retrigger_reject"
        payload = {
            "type": "block_actions",
            "team": {"id": team},
            "user": {"id": user},
            "api_app_id": APP,
            "channel": {"id": "C0MLOPS"},
            "trigger_id": f"t-{user}",
            "container": {"type": "message", "channel_id": "C0MLOPS"},
            "response_url": self.fake.url + "response",
            "actions": [
                {
                    "type": "button",
                    "action_id": action,
                    "value": approval_id,
                    "block_id": f"approval:{approval_id}",
                }
            ],
        }
        return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()

    def click(self, approval_id: str, user: str, approve: bool = True) -> Answer:
        return self.post(self.click_body(approval_id, user, approve))


def start_bot(
    root: Path,
    fake: FakeSlack,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Bot:
    environment = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "RETRIGGER_SLACK__API_URL": fake.url,
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "retrigger", "bot", "--port", "0", *args],
        cwd=root,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    listening = threading.Event()
    found: dict[str, str] = {}
    log: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode(errors="replace")
            log.append(line)
            match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
            if match:
                found["url"] = match.group(1)
            if "Booting worker" in line and "url" in found:
                listening.set()

    threading.Thread(target=read, daemon=True).start()
    if not listening.wait(timeout):
        process.kill()
        raise AssertionError("the bot did not start:\n" + "".join(log))
    bot = Bot(found["url"], root, fake, process, log)
    _wait_healthy(bot, timeout)
    return bot


def _wait_healthy(bot: Bot, timeout: float) -> None:
    # The worker accepts once its app is loaded; retry on refused connections only.
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(bot.url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            threading.Event().wait(0.05)


def stop_bot(bot: Bot) -> None:
    bot.process.terminate()
    try:
        bot.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        bot.process.kill()
        bot.process.wait(timeout=5)


def kill_tree(bot: Bot) -> None:
    """SIGKILL the gunicorn master, its worker and every descendant (the executor's `retrigger
    run`, its step), as a machine losing power would: nothing gets to clean up."""
    family = _descendants(bot.process.pid)
    for pid in [bot.process.pid, *family]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    bot.process.wait(timeout=30)


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def project(root: Path, **overrides: Any) -> Path:
    """A git repo with retrigger.yaml (approval required) and a state store."""
    write_config(root, **{**SLACK, **overrides})
    config = root / "retrigger.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "policy: {approval: required}\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "retrigger.yaml"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "init"], check=True)
    return config


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


@pytest.fixture
def bot(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[Bot]:
    project(tmp_path / "project")
    running = start_bot(tmp_path / "project", fake_slack)
    yield running
    stop_bot(running)
