"""Signed data-arrival events under load: a real `retrigger serve` (gunicorn) on loopback over a
real git + DVC repo, 1,000 Standard Webhooks deliveries from 20 concurrent senders.

    .venv/bin/python benchmarks/events.py [--deliveries 1000] [--senders 20] [--prefixes 4]
                                          [--replays 50] [--workers 1] [--threads N]
                                          [--against REF] [--rounds 1]

The deliveries announce new objects under ``--prefixes`` watched prefixes (a settle window of
5 s each); ``--replays`` of them are sent a second time with the same delivery id, as a sender
retries. Each sender is its own process (a sender fleet is other machines, not threads sharing
one interpreter's lock with the timer) and sends its share back to back, signed beforehand,
one connection per delivery (http.client: on 2 shared cores a lighter client leaves the server
more of them); the clock runs from opening the connection to the answer's last byte.
Printed: p50 / p99 / max answer latency, lost (a delivery answered 202 whose event is not
counted in a window), duplicated (a replay counted again, or more checks than windows), the
checks run, and the worker's resident memory after the first tenth and at the end.

``--against REF`` measures the server of git revision REF (its ``retrigger`` tree exported,
run on the same interpreter) beside this checkout's, in alternating rounds on fresh repos, and
prints the ratio of their latencies: on a loaded machine only the ratio means something.
Targets (issue 28): p99 ≤ 50 ms, zero lost, zero duplicated checks, memory flat.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.events.conftest import Server, object_created, signed, start_serve, stop
from tests.support.dvcrepo import build_template

ROOT = Path(__file__).resolve().parents[1]
SETTLE = "5s"
FRONT_DOORS = ("cli", "bot", "hooks")  # top-level folders installed as retrigger.<name>


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--prefixes", type=int, default=4)
    parser.add_argument("--replays", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=0, help="gunicorn threads (0: default)")
    parser.add_argument("--against", metavar="REF", help="also measure git revision REF")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per server measured")
    args = parser.parse_args()
    args.load = os.getloadavg()
    # The senders are forked now, before any thread of ours runs.
    pool = multiprocessing.get_context("fork").Pool(args.senders)
    with tempfile.TemporaryDirectory(prefix="retrigger-events-bench-") as scratch:
        where = Path(scratch)
        template = build_template(where / "template", where / "remote")
        variants: dict[str, dict[str, str]] = {"this checkout": {}}
        if args.against:
            variants = {args.against: {"PYTHONPATH": str(_export(args.against, where))}, **variants}
        reports: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        for round_ in range(args.rounds):
            for name, env in variants.items():
                root = where / f"r{round_}-{len(reports[name])}-{uuid.uuid4().hex[:6]}"
                shutil.copytree(template, root, symlinks=True)
                reports[name].append(_round(root, env, pool, args))
    pool.close()
    print(json.dumps(_summary(reports, args), indent=2))


def _export(ref: str, where: Path) -> Path:
    """REF's package tree, laid out as installed (front doors inside retrigger/)."""
    tree = where / "against"
    tree.mkdir()
    command = ["git", "archive", ref, "retrigger", *FRONT_DOORS]
    archive = subprocess.run(command, cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    for door in FRONT_DOORS:
        (tree / door).rename(tree / "retrigger" / door)
    return tree


def _round(root: Path, env: dict[str, str], pool: Any, args: argparse.Namespace) -> dict[str, Any]:
    prefixes = [f"s3://lake/bench/p{i}/" for i in range(args.prefixes)]
    watch = ", ".join(f"{{source: webhook, prefix: '{p}', data: data/parts}}" for p in prefixes)
    with (root / "retrigger.yaml").open("a") as config:
        config.write(f"events:\n  watch: [{watch}]\n  settle: {SETTLE}\n")
    extra = ["--workers", str(args.workers)]
    extra += ["--threads", str(args.threads)] if args.threads else []
    server = start_serve(root, *extra, env=env)
    try:
        return _measure(server, prefixes, pool, args)
    finally:
        stop(server)


def _measure(
    server: Server, prefixes: list[str], pool: Any, args: argparse.Namespace
) -> dict[str, Any]:
    urls = [f"{prefixes[i % len(prefixes)]}part-{i:05}.parquet" for i in range(args.deliveries)]
    deliveries = [_signed(url, object_created(url)) for url in urls]
    warm = max(args.deliveries // 10, 1)
    cpu_start = _workers_cpu_s(server)
    first = _send_all(pool, server.url, deliveries[:warm], args.senders)
    rss_warm = _worker_rss_mb(server)
    rest = _send_all(pool, server.url, deliveries[warm:], args.senders)
    cpu_ms = (_workers_cpu_s(server) - cpu_start) * 1000 / len(deliveries)
    again = [(url, body, headers) for url, body, headers, *_ in (first + rest)[: args.replays]]
    replays = _send_all(pool, server.url, again, args.senders)
    rss_end = _worker_rss_mb(server)
    windows = server.wait_settled(count=len(prefixes), timeout=600)
    counted = sum(int(str(events)) for _status, events, _decision, _error in windows)
    answered = first + rest
    accepted = sum(1 for *_, status, _ms in answered if status == 202)
    decisions = server.count("SELECT count(*) FROM decisions")
    ordered = sorted(ms for *_, ms in answered)
    duplicate = sum(1 for *_, status, _ms in replays if status == 200)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p99": round(ordered[int(len(ordered) * 0.99) - 1], 1),
        "max": round(ordered[-1], 1),
        "worker_cpu_ms_per_delivery": round(cpu_ms, 2),
        "accepted": accepted,
        "lost": accepted - counted,
        "replays_answered_duplicate": duplicate,
        "duplicated": (len(replays) - duplicate) + max(decisions - len(windows), 0),
        "windows": len(windows),
        "checks": decisions,
        "failed_checks": sum(1 for w in windows if w[0] != "checked"),
        "worker_rss_mb": {"after_first_tenth": rss_warm, "at_end": rss_end},
    }


Delivery = tuple[str, bytes, dict[str, str]]  # object url, body, headers (signed)
Sent = tuple[str, bytes, dict[str, str], int, float]  # … and the status, answer ms


def _signed(url: str, body: bytes) -> Delivery:
    """Signed here, before any sending starts: signing while others send would load the
    machine the server runs on with work a real sender does on its own."""
    headers = signed(body, f"msg_{uuid.uuid4().hex}")
    return url, body, {"Content-Type": "application/json", **headers}


def _send_all(pool: Any, url: str, work: list[Delivery], senders: int) -> list[Sent]:
    """``work`` split among the sender processes, each sending its share back to back."""
    shares = [(url, work[i::senders]) for i in range(senders)]
    return [sent for share in pool.map(_sender, shares, chunksize=1) for sent in share]


def _sender(share: tuple[str, list[Delivery]]) -> list[Sent]:
    """One sender: its deliveries sent back to back, one connection each."""
    url, work = share
    address = urlsplit(url)
    done: list[Sent] = []
    for object_url, body, headers in work:
        started = time.perf_counter()
        connection = HTTPConnection(address.hostname or "", address.port, timeout=30)
        connection.request("POST", "/events/webhook", body, headers)
        answer = connection.getresponse()
        answer.read()  # the whole answer, before the clock stops
        connection.close()
        elapsed_ms = (time.perf_counter() - started) * 1000
        done.append((object_url, body, headers, answer.status, elapsed_ms))
    return done


def _summary(reports: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "deliveries": args.deliveries,
        "senders": f"{args.senders} processes",
        "load_average_at_start": args.load,
        "load_average_at_end": os.getloadavg(),
        "servers": reports,
    }
    if len(reports) == 2:
        (old_name, old), (_this, new) = reports.items()
        for quantile in ("p50", "p99"):
            before = statistics.median(r[quantile] for r in old)
            after = statistics.median(r[quantile] for r in new)
            summary[f"{quantile}_ratio_{old_name}_over_this"] = round(before / after, 2)
    return summary


def _workers(server: Server) -> list[int]:
    """gunicorn's workers: the master's children."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def _workers_cpu_s(server: Server) -> float:
    """CPU seconds (user + system) the workers used so far: what an answer costs the server,
    which a loaded machine changes much less than it changes the latency."""
    ticks = 0
    for pid in _workers(server):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


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
