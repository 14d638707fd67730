"""Ack latency and exactly-once under load: a real `retrigger bot` (gunicorn) on loopback with
the fake Slack Web API, hit by 50 concurrent signed requests — slash commands and Approve
clicks, several clicks on each approval.

    .venv/bin/python benchmarks/bot_load.py [--requests 50] [--approvals 10] [--rounds 1]
                                            [--kill-restart]

Prints p50 / p99 / max ack latency and the counts: approvals decided, decided more than once
(duplicated), clicked but still pending (lost); slash commands stored once each.
Targets (issue 6): p99 ack under 200 ms, zero duplicated, zero lost.

``--kill-restart``: once a quarter of a round's requests were answered, the bot (gunicorn master,
worker and children) is killed with SIGKILL and started again; the requests it never answered
are sent again to the new process, as Slack retries an unanswered request (same body, same
trigger_id, header ``X-Slack-Retry-Num: 1``). Nothing acked may be lost, nothing done twice.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrigger.approvals import flow as approval_flow
from retrigger.store import decisions
from retrigger.workspace import Workspace, utc_now
from tests.bot.conftest import Bot, kill_tree, project, start_bot, stop_bot
from tests.support.fake_slack import running_fake_slack
from tests.support.workspaces import fired_decision


def _approvals(root: Path, count: int) -> list[str]:
    workspace = Workspace.load(root / "retrigger.yaml")
    ids = []
    with workspace.store.transaction() as conn:
        for _ in range(count):
            now = utc_now()
            decision = fired_decision(now, requested_by="UALICE")
            decisions.save(conn, decision)
            ids.append(
                approval_flow.request(conn, decision, "UALICE", workspace.config.slack, now).id
            )
    workspace.store.close()
    return ids


class _Restarter:
    """Kills the bot once ``after`` requests were answered and starts a new one (same project)."""

    def __init__(self, bot: Bot, after: int | None) -> None:
        self.bot = bot
        self.after = after
        self.answered = 0
        self._lock = threading.Lock()
        self.killed = threading.Event()

    def answered_one(self) -> None:
        with self._lock:
            self.answered += 1
            due = self.after is not None and self.answered == self.after
        if due:
            kill_tree(self.bot)
            self.killed.set()

    def restart(self) -> Bot:
        self.bot = start_bot(self.bot.root, self.bot.fake)
        return self.bot


def _round(
    bot: Bot, requests: int, approval_ids: list[str], restarter: _Restarter
) -> tuple[list[float], int, list[bytes]]:
    bodies = []
    for n in range(requests):
        if n % 2 == 0:
            bodies.append(bot.slash_body(f"churn load test {n}"))
        else:
            user = ("UBOB", "UCAROL")[n % 4 // 2]
            bodies.append(bot.click_body(approval_ids[n // 2 % len(approval_ids)], user))
    start = threading.Barrier(requests)
    latencies: list[float] = []
    unanswered: list[bytes] = []
    failures = 0

    def send(body: bytes) -> None:
        nonlocal failures
        start.wait(timeout=30)
        began = time.perf_counter()
        try:
            answer = bot.post(body)
        except OSError:  # refused or reset: the bot was killed; Slack would retry
            unanswered.append(body)
            return
        latencies.append(time.perf_counter() - began)
        restarter.answered_one()
        if answer.status != 200:
            failures += 1
            print(f"HTTP {answer.status}: {answer.body[:200]!r}", file=sys.stderr)

    with ThreadPoolExecutor(max_workers=requests) as pool:
        list(pool.map(send, bodies))
    return latencies, failures, unanswered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--approvals", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--state-url", default=None, help="state store (default: SQLite in the temp project)"
    )
    parser.add_argument(
        "--kill-restart",
        action="store_true",
        help="SIGKILL the bot a quarter into the first round and restart it",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, running_fake_slack() as fake:
        root = Path(folder) / "project"
        # state.url (the key moved out of slack:, where this benchmark once wrote it)
        project(root, four_eyes=False, store_url=args.state_url)
        restarter = _Restarter(
            start_bot(root, fake), args.requests // 4 if args.kill_restart else None
        )
        try:
            report = _measure(restarter, root, args)
        finally:
            stop_bot(restarter.bot)
    print(json.dumps(report, indent=2))


def _measure(restarter: _Restarter, root: Path, args: argparse.Namespace) -> dict[str, object]:
    latencies: list[float] = []
    failures = retried = 0
    clicked: set[str] = set()
    slashes = 0
    restarter.bot.slash("help")  # warm-up, not counted: the first request loads bolt's paths
    for _ in range(args.rounds):
        ids = _approvals(root, args.approvals)
        clicked |= {ids[n // 2 % len(ids)] for n in range(1, args.requests, 2)}
        slashes += (args.requests + 1) // 2
        got, failed, unanswered = _round(restarter.bot, args.requests, ids, restarter)
        if restarter.killed.is_set() and restarter.after is not None:
            restarter.after = None  # once
            bot = restarter.restart()
            for body in unanswered:  # Slack's retry of a request that got no answer
                failed += (
                    bot.post(
                        body, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
                    ).status
                    != 200
                )
            retried += len(unanswered)
        latencies += got
        failures += failed
    rows = _reader(root)
    decided = rows(
        "SELECT subject, count(*) FROM audit WHERE action IN "
        "('approval.approved', 'approval.rejected') GROUP BY subject"
    )
    statuses = dict(rows("SELECT id, status FROM approvals"))
    manual = rows("SELECT count(*) FROM decisions WHERE reason LIKE 'load test%'")
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "non_200": failures,
        "killed_and_restarted": args.kill_restart,
        "unanswered_then_retried": retried,
        "ack_ms": {
            "p50": round(statistics.median(ordered) * 1000, 1),
            "p99": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 1),
            "max": round(ordered[-1] * 1000, 1),
        },
        "approvals_clicked": len(clicked),
        "approvals_decided": sum(1 for _, n in decided if n),
        "approvals_duplicated": sum(1 for _, n in decided if int(str(n)) > 1),
        "approvals_lost": sum(1 for a in clicked if statuses.get(a) == "pending"),
        "slash_commands_sent": slashes,
        "slash_commands_stored": manual[0][0],
    }


def _reader(root: Path) -> Callable[[str], list[Any]]:
    """Read the bot's state store (SQLite or PostgreSQL) the way an auditor would."""
    from sqlalchemy import text

    workspace = Workspace.load(root / "retrigger.yaml")

    def rows(sql: str) -> list[Any]:
        with workspace.store.transaction() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]

    return rows


if __name__ == "__main__":
    main()
