"""People in MLflow are named the way their team knows them: a Slack id by its display name
(users.info against the loopback Slack fake, cached), ``cli:<me>`` by this checkout's git
identity; what cannot be named stays the raw id."""

from __future__ import annotations

import getpass
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrigger.lineage import people
from tests.support.fake_slack import FakeSlack, running_fake_slack

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


def test_a_slack_id_is_named_by_users_info_once_then_from_the_cache(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.users["UALICE"] = "Alice Liddell"
    client = people.slack_client(fake_slack.url, "xoxb-test")

    first = people.names(["UALICE", "UNOBODY", None], tmp_path, NOW, client)
    again = people.names(["UALICE"], tmp_path, NOW + timedelta(hours=1), client)

    assert first == {"UALICE": "Alice Liddell"} and again == first
    asked = [str(c.params.get("user")) for c in fake_slack.of("users.info")]
    assert sorted(asked) == ["UALICE", "UNOBODY"]  # the second call came from the cache


def test_without_a_token_or_with_slack_down_the_id_stays(tmp_path: Path) -> None:
    down = people.slack_client("http://127.0.0.1:9/api/", "xoxb-test")

    assert people.names(["UALICE"], tmp_path, NOW, None) == {}
    assert people.names(["UALICE"], tmp_path, NOW, down) == {}


def test_the_cli_user_is_named_by_the_git_identity(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for key, value in (("user.name", "Root Person"), ("user.email", "root@example.com")):
        subprocess.run(["git", "-C", str(tmp_path), "config", key, value], check=True)
    me = f"cli:{getpass.getuser()}"

    found = people.names([me, "cli:someone-else"], tmp_path, NOW)

    assert found == {me: "Root Person <root@example.com>"}
