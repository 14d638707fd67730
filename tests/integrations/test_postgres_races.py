"""Races between processes on the shared PostgreSQL state.

Two people click Approve at the same moment from two machines: the test holds the approval's
row lock until every process is blocked on it, then lets them all go at once. Three delivery
processes (the bot, CLI commands) drain one outbox at once: every message is posted once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text

from retrigger.approvals import flow as approval_flow
from retrigger.config.models import SlackConfig
from retrigger.store import Store, decisions
from tests.support.workspaces import fired_decision, write_config

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _engine(url: str) -> Engine:
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def _blocked(conn: Connection) -> int:
    count = int(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
        ).scalar_one()
    )
    conn.rollback()  # pg_stat_activity is a snapshot per transaction: take a fresh one
    return count


def _all_blocked(conn: Connection, processes: list[subprocess.Popen[str]]) -> bool:
    exited = [p.args for p in processes if p.poll() is not None]
    assert not exited, f"exited before the race: {exited}"
    return _blocked(conn) >= len(processes)


def test_two_approvers_clicking_at_once_from_two_machines_decide_once(
    postgres_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, store_url=postgres_url)
    store = Store.open(postgres_url, tmp_path)
    with store.transaction() as conn:
        decision = fired_decision(datetime.now(tz=UTC), requested_by="UALICE")
        decisions.save(conn, decision)
        approval = approval_flow.request(
            conn, decision, "UALICE", SlackConfig(), datetime.now(tz=UTC)
        )
    store.close()
    engine = _engine(postgres_url)
    clickers = ["bob", "carol", "dave"]

    with engine.connect() as holder, engine.connect() as watcher:
        # Hold the approval row: every `retrigger approve` will block on its UPDATE.
        holder.execute(
            text("SELECT id FROM approvals WHERE id = :id FOR UPDATE"), {"id": approval.id}
        )
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "retrigger",
                    "approve",
                    approval.id,
                    "--json",
                    "--config",
                    str(config),
                ],
                env={**os.environ, "USER": user, "LOGNAME": user},
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for user in clickers
        ]
        wait_until(
            lambda: _all_blocked(watcher, processes),
            60,
            "every approver to be blocked on the approval",
        )
        holder.rollback()  # let them all go at once
        results = [
            (
                p.wait(timeout=60),
                p.stdout.read() if p.stdout else "",
                p.stderr.read() if p.stderr else "",
            )
            for p in processes
        ]

    winners = [json.loads(out) for code, out, _ in results if code == 0]
    losers = [err for code, _, err in results if code != 0]
    assert len(winners) == 1, results
    assert winners[0]["status"] == "approved"
    winner = winners[0]["decided_by"]
    assert len(losers) == len(clickers) - 1
    assert all(f"already approved by {winner}" in err for err in losers), losers
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT status, decided_by FROM approvals WHERE id = :id"), {"id": approval.id}
        ).one()
    assert tuple(row) == ("approved", winner)
    engine.dispose()


# A delivery worker in its own process: it connects, says it is ready, waits for the go file,
# then makes one delivery pass (the bot and every CLI command run such passes concurrently).
_WORKER = """
import sys, time
from pathlib import Path
from retrigger.config.secrets import Secrets
from retrigger.notify.delivery import worker_for
from retrigger.workspace import Workspace
config, ready, go = map(Path, sys.argv[1:4])
worker = worker_for(Workspace.load(config), Secrets(slack_bot_token="xoxb-race-test"))
worker.store.engine.connect().close()
ready.touch()
deadline = time.monotonic() + 60
while not go.exists():
    assert time.monotonic() < deadline, "no go signal"
    time.sleep(0.01)
print(worker.deliver_due().delivered)
"""


def test_three_delivery_processes_never_post_one_message_twice(
    postgres_url: str, tmp_path: Path
) -> None:
    from retrigger.store import outbox
    from tests.support.fake_slack import running_fake_slack

    with running_fake_slack() as slack:
        config = write_config(tmp_path, store_url=postgres_url, api_url=slack.url)
        store = Store.open(postgres_url, tmp_path)
        with store.transaction() as conn:
            for n in range(30):
                outbox.enqueue(
                    conn,
                    outbox.TRIGGER_FIRED,
                    {"model": "churn", "decision_id": f"d-{n}"},
                    channel=f"#c{n % 3}",
                    now=datetime.now(tz=UTC),
                    thread_key=f"d-{n}",
                )
        store.close()
        readies = [tmp_path / f"ready-{i}" for i in range(3)]
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(config), str(ready), str(tmp_path / "go")],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for ready in readies
        ]
        wait_until(
            lambda: (
                all(r.exists() for r in readies) or any(p.poll() is not None for p in processes)
            ),
            60,
            "workers ready",
        )
        (tmp_path / "go").touch()
        results = [(p.wait(timeout=60), p.communicate()) for p in processes]

        assert all(code == 0 for code, _ in results), results
        posted = [c.params["text"] for c in slack.of("chat.postMessage")]
    delivered = sum(int(out.strip()) for _, (out, _) in results)
    assert delivered == 30
    assert len(posted) == len(set(posted)) == 30
