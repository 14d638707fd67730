"""The DuckDB profile SQL before (commit 8a3e154: a query per partition, a FILTER per aggregate,
histogram(VARCHAR) with an IN filter) and now, on the same partitions, alternating, one process
per pass; prints wall, CPU and peak RSS and whether both give the same profile.

    .venv/bin/python benchmarks/profile_sql_before_after.py DIR [--repeat 2]

DIR: hive-partitioned Parquet, e.g. written by ``benchmarks/profiles.py --data DIR``. The layout
(1,000 bins, top-100 keys) is computed once, by the current engine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

BEFORE = "8a3e154"


def one(which: str, root: Path, layout_file: Path, threads: int, old: Path) -> None:
    from retrigger.drift.profiles import Layout

    layout = Layout.from_dict(json.loads(layout_file.read_text()))
    if which == "before":
        sys.path.insert(0, str(old))
        import duckdb_before as engines  # type: ignore[import-not-found]
    else:
        import retrigger.drift.engines.duckdb as engines
    engine = engines.DuckDBEngine(None, memory_limit="1GB", threads=threads)
    cpu, wall = time.process_time(), time.perf_counter()
    profile = engine.profile(root, layout).profile
    out = {
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "profile": profile.to_json() if profile else "",
    }
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        which, layout_file, threads, old = args.one
        one(which, args.root, Path(layout_file), int(threads), Path(old))
        return
    from retrigger.drift.engines.duckdb import DuckDBEngine

    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp)
        source = subprocess.run(
            ["git", "show", f"{BEFORE}:retrigger/drift/engines/duckdb.py"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout
        (old / "duckdb_before.py").write_text(source)
        layout_file = old / "layout.json"
        layout_file.write_text(json.dumps(asdict(DuckDBEngine().layout(args.root))))
        profiles = set()
        print(f"{'sql':7} {'threads':>7} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
        for _ in range(args.repeat):
            for threads in (1, 2):
                for which in ("before", "now"):
                    command = [sys.executable, __file__, str(args.root), "--one", which]
                    command += [str(layout_file), str(threads), str(old)]
                    done = subprocess.run(command, capture_output=True, text=True, check=True)
                    r = json.loads(done.stdout)
                    profiles.add(r["profile"])
                    times = f"{r['wall']:8.1f} {r['cpu']:8.1f} {r['rss_mb']:8.0f}"
                    print(f"{which:7} {threads:7} {times}", flush=True)
        print(f"the same profile from both: {len(profiles) == 1}")


if __name__ == "__main__":
    main()
