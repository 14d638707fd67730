"""Signed data-arrival events under load: a real `retrigger serve` (gunicorn) on loopback over a
real git + DVC repo, 1,000 Standard Webhooks deliveries from 20 concurrent senders.

    .venv/bin/python benchmarks/events.py [--deliveries 1000] [--senders 20] [--prefixes 4]
                                          [--replays 50] [--workers 1]

The deliveries announce new objects under ``--prefixes`` watched prefixes (a settle window of
5 s each); ``--replays`` of them are sent a second time with the same delivery id, as a sender
retries. Printed: p50 / p99 / max answer latency, lost (a delivery answered 202 whose event is
not counted in a window), duplicated (a replay counted again, or more checks than windows),
the checks run, and the worker's resident memory after the first tenth and at the end.
Targets (issue 28): p99 ≤ 50 ms, zero lost, zero duplicated checks, memory flat.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.events.conftest import Server, object_created, signed, start_serve, stop
from tests.support.dvcrepo import build_template

SETTLE = "5s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--prefixes", type=int, default=4)
    parser.add_argument("--replays", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="retrigger-events-bench-") as scratch:
        root = build_template(Path(scratch) / "repo", Path(scratch) / "remote")
        prefixes = [f"s3://lake/bench/p{i}/" for i in range(args.prefixes)]
        watch = ", ".join(f"{{source: webhook, prefix: '{p}', data: data/parts}}" for p in prefixes)
        with (root / "retrigger.yaml").open("a") as config:
            config.write(f"events:\n  watch: [{watch}]\n  settle: {SETTLE}\n")
        server = start_serve(root, "--workers", str(args.workers))
        try:
            report = _measure(server, prefixes, args)
        finally:
            stop(server)
    print(json.dumps(report, indent=2))


def _measure(server: Server, prefixes: list[str], args: argparse.Namespace) -> dict[str, object]:
    bodies = [
        object_created(f"{prefixes[i % len(prefixes)]}part-{i:05}.parquet")
        for i in range(args.deliveries)
    ]
    ids = [f"msg_{uuid.uuid4().hex}" for _ in bodies]
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def send(index: int) -> None:
        body = bodies[index]
        headers = signed(body, ids[index])
        started = time.perf_counter()
        answer = server.post("webhook", body, headers)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            statuses.append(answer.status)

    warm = max(args.deliveries // 10, 1)
    with ThreadPoolExecutor(max_workers=args.senders) as pool:
        list(pool.map(send, range(warm)))
        rss_warm = _worker_rss_mb(server)
        list(pool.map(send, range(warm, args.deliveries)))
        replayed = list(pool.map(_replay(server, bodies, ids), range(args.replays)))
    rss_end = _worker_rss_mb(server)
    windows = server.wait_settled(count=len(prefixes), timeout=600)
    counted = sum(int(str(events)) for _status, events, _decision, _error in windows)
    accepted = statuses.count(202)
    decisions = server.count("SELECT count(*) FROM decisions")
    ordered = sorted(latencies)
    return {
        "deliveries": args.deliveries,
        "senders": args.senders,
        "answer_ms": {
            "p50": round(statistics.median(ordered) * 1000, 1),
            "p99": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
            "max": round(ordered[-1] * 1000, 1),
        },
        "accepted": accepted,
        "lost": accepted - counted,
        "replays_answered_duplicate": replayed.count(200),
        "duplicated": (args.replays - replayed.count(200)) + max(decisions - len(windows), 0),
        "windows": len(windows),
        "checks": decisions,
        "failed_checks": sum(1 for w in windows if w[0] != "checked"),
        "worker_rss_mb": {"after_first_tenth": rss_warm, "at_end": rss_end},
    }


def _replay(server: Server, bodies: list[bytes], ids: list[str]):  # type: ignore[no-untyped-def]
    def send(index: int) -> int:
        return server.post("webhook", bodies[index], signed(bodies[index], ids[index])).status

    return send


def _worker_rss_mb(server: Server) -> float | None:
    """Resident memory of gunicorn's workers (the master's children), from ps."""
    found = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(server.process.pid)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return round(sum(int(k) for k in found) / 1024, 1) if found else None


if __name__ == "__main__":
    main()
