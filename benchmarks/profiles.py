"""A full profile pass over hive-partitioned Parquet with DuckDB, beside reading it with pandas.

    .venv/bin/python benchmarks/profiles.py                       # 2M rows, 500k per day
    .venv/bin/python benchmarks/profiles.py --rows 10000000 --memory-limit 1GB --threads 2

A seeded generator writes daily partitions (``date=…/part-0.parquet``, ZSTD) of 20 columns:
14 float, 4 dictionary strings (50 to 10,000 categories), 2 int. Each measurement runs in its
own process, imports done first; printed: wall time of the work and the process's peak RSS.
"duckdb layout" computes the reference's edges (1,000 quantile bins) and top-100 keys;
"duckdb profile" profiles every partition on them (no cache); "duckdb +1 day" is the same check
after one new day with the cache warm, printed with its share of the full pass (goal: 3 % at
most); "spark local[1]" and "local[2]" profile every partition through a SparkSession on the
same layout (JVM start excluded: the session is made before the clock starts), and the line
says whether their counts equal DuckDB's ("--no-spark" leaves them out). "pandas read" is
``pd.read_parquet`` of the folder, the step an in-memory tool needs before any statistic. One
run, not a distribution: numbers move with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PER_DAY = 500_000


def generate(rows: int, root: Path, first_day: int = 1) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    for day, start in enumerate(range(0, rows, PER_DAY), start=first_day):
        n = min(PER_DAY, rows - start)
        rng = np.random.default_rng(day)
        cols: dict[str, pa.Array] = {
            f"f{i}": pa.array(rng.normal(i, 1 + i / 10, n)) for i in range(14)
        }
        for i, k in enumerate((50, 500, 2_000, 10_000)):
            keys = pa.array([f"c{j}" for j in range(k)])
            cols[f"s{i}"] = pa.DictionaryArray.from_arrays(pa.array(rng.zipf(1.5, n) % k), keys)
        cols["i0"] = pa.array(rng.integers(0, 1_000, n))
        cols["i1"] = pa.array(rng.poisson(5, n))
        folder = root / f"date=2024-{1 + day // 28:02d}-{1 + day % 28:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(cols), folder / "part-0.parquet", compression="zstd")


def one(
    task: str, root: str, cache: str, memory_limit: str | None, threads: int | None
) -> dict[str, float]:
    """Run one measurement in this process; imports first, then the timed work."""
    from retrigger.drift.engines.duckdb import DuckDBEngine
    from retrigger.drift.profiles import Layout, ProfileCache

    engine = DuckDBEngine(ProfileCache(Path(cache)), memory_limit=memory_limit, threads=threads)
    layout_file = Path(cache) / "layout.json"
    started = time.perf_counter()
    if task == "pandas":
        import pandas as pd

        rows = float(len(pd.read_parquet(root)))
    elif task == "layout":
        layout = engine.layout(Path(root))
        layout_file.write_text(json.dumps([c.__dict__ for c in layout.columns]))
        rows = 0.0
    else:
        from retrigger.drift.profiles import ColumnLayout

        raw = json.loads(layout_file.read_text())
        layout = Layout(
            tuple(
                ColumnLayout(**{**c, "edges": tuple(c["edges"]), "keys": tuple(c["keys"])})
                for c in raw
            )
        )
        if task == "full":
            engine = DuckDBEngine(None, memory_limit=memory_limit, threads=threads)
        if task.startswith("spark"):
            return _spark(task, Path(root), layout, cache)
        result = engine.profile(Path(root), layout)
        rows = float(result.profile.rows if result.profile else -1)
        if task == "full":
            (Path(cache) / "duckdb.json").write_text(
                result.profile.to_json() if result.profile else ""
            )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "peak_mb": peak_mb,
        "rows": rows,
        "read": float(engine.partitions_profiled),
    }


def _spark(task: str, root: Path, layout: object, cache: str) -> dict[str, float]:
    """A full pass through Spark ``local[N]`` (N from the task name), the session started first;
    ``same`` is 1.0 when every count equals DuckDB's full pass."""
    from pyspark.sql import SparkSession

    from retrigger.drift.engines.spark import SparkEngine
    from retrigger.drift.partitions import discover
    from retrigger.drift.profiles import DatasetProfile, Layout

    assert isinstance(layout, Layout)
    session = (
        SparkSession.builder.master(f"local[{task[-1]}]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.range(1).collect()  # the JVM is up before the clock starts
    started = time.perf_counter()
    result = SparkEngine(session=session).profile_parts(discover(root), layout, str(root))
    seconds = time.perf_counter() - started
    duck = DatasetProfile.from_json((Path(cache) / "duckdb.json").read_text())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the Python side only
    rows = float(result.profile.rows if result.profile else -1)
    same = float(result.profile is not None and result.profile.columns == duck.columns)
    return {"seconds": seconds, "peak_mb": peak_mb, "rows": rows, "read": 0.0, "same": same}


def measure(task: str, root: Path, cache: Path, args: argparse.Namespace) -> dict[str, float]:
    extra = [f"--memory-limit={args.memory_limit}"] if args.memory_limit else []
    extra += [f"--threads={args.threads}"] if args.threads else []
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--one",
            task,
            "--root",
            str(root),
            "--cache",
            str(cache),
            *extra,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--memory-limit", default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--no-spark", action="store_true", help="leave Spark out")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.root, args.cache, args.memory_limit, args.threads)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root, cache = Path(tmp) / "events", Path(tmp) / "profiles"
        cache.mkdir()
        generate(args.rows, root)
        print(f"{args.rows:,} rows in {len(list(root.iterdir()))} daily partitions")
        spark = (
            [] if args.no_spark else [("spark local[1]", "spark1"), ("spark local[2]", "spark2")]
        )
        full = 0.0
        for label, task in (
            ("duckdb layout", "layout"),
            ("duckdb profile", "full"),
            *spark,
            ("pandas read", "pandas"),
        ):
            r = measure(task, root, cache, args)
            full = r["seconds"] if task == "full" else full
            same = "" if "same" not in r else f"  counts equal DuckDB's: {bool(r['same'])}"
            print(f"{label:16} {r['seconds']:8.2f} s  peak RSS {r['peak_mb']:7.0f} MB{same}")
        measure("cached", root, cache, args)  # warm the cache
        generate(PER_DAY, root, first_day=1 + -(-args.rows // PER_DAY))
        r = measure("cached", root, cache, args)
        print(
            f"{'duckdb +1 day':16} {r['seconds']:8.2f} s  peak RSS {r['peak_mb']:7.0f} MB"
            f"  ({r['read']:.0f} partition read; {r['seconds'] / full:.1%} of the full pass)"
        )


if __name__ == "__main__":
    main()
