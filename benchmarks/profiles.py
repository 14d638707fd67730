"""Profiles at scale: full DuckDB passes at several sizes, threads, Spark, one new day, exactness.

    .venv/bin/python benchmarks/profiles.py --rows 10000000,30000000,100000000 --memory-limit 1GB
    .venv/bin/python benchmarks/profiles.py --rows 2000000 --spark-rows 1000000 --no-evidently

A seeded generator writes daily partitions (``date=…/part-0.parquet``, 500k rows, ZSTD) of 20
columns: 14 float, 4 dictionary strings (50 to 10,000 categories), 2 int. Day ``d`` is seeded
by ``d``, so each size is the first days of the largest one (``--data DIR`` reuses a folder
written by an earlier run). Every measurement runs in its own process, imports done first, and
prints wall and CPU time of the work and the process's peak RSS; the whole run prints one table.

- ``layout``: the reference's edges (1,000 quantile bins) and top-100 keys, on the smallest size;
  every pass below profiles on it.
- ``duckdb full``: every partition of a size profiled, no cache before (``--threads``, default 2;
  the smallest size also at 1 thread). The line under the table fits time = a·rows + b (R²).
- ``duckdb +1 day``: after the largest size's pass (its cache warm), one new day: its share of
  the full pass (goal: 3 % at most).
- ``spark local[1|2]``: a SparkSession profiles the first ``--spark-rows`` rows' days (JVM
  started before the clock), then ``pyarrow``: a plain pyarrow/numpy pass over the same days;
  the note says whether DuckDB's, Spark's and pyarrow's counts are the same integers.
- ``scores``: the largest gap between each profile score (KS statistic, normed Wasserstein) and
  scipy's exact one on 1M rows (days 1–2 against days 3–4).
- ``evidently``: Evidently 0.7 ``DataDriftPreset`` on the smallest size (first half against the
  second half), run by ``--evidently-python`` (a venv of its own, never a dependency), with a
  timeout: its time, or where it failed.

One run, not a distribution: on a shared machine the numbers move with its load, printed first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PER_DAY = 500_000
EVIDENTLY = "/tmp/evidently-venv/bin/python"


def generate(rows: int, root: Path, first_day: int = 1) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    for day, start in enumerate(range(0, rows, PER_DAY), start=first_day):
        folder = _day_folder(root, day)
        if (folder / "part-0.parquet").is_file():
            continue  # written by an earlier run: the same seed, the same rows
        n = min(PER_DAY, rows - start)
        rng = np.random.default_rng(day)
        cols: dict[str, Any] = {f"f{i}": pa.array(rng.normal(i, 1 + i / 10, n)) for i in range(14)}
        for i, k in enumerate((50, 500, 2_000, 10_000)):
            keys = pa.array([f"c{j}" for j in range(k)])
            cols[f"s{i}"] = pa.DictionaryArray.from_arrays(pa.array(rng.zipf(1.5, n) % k), keys)
        cols["i0"] = pa.array(rng.integers(0, 1_000, n))
        cols["i1"] = pa.array(rng.poisson(5, n))
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(cols), folder / "part-0.parquet", compression="zstd")


def _day_folder(root: Path, day: int) -> Path:
    return root / f"date=2024-{1 + day // 28:02d}-{1 + day % 28:02d}"


def first_days(data: Path, rows: int, into: Path) -> Path:
    """A folder of hard links to the first ``rows`` rows' days of ``data`` (no copy; folders,
    not symlinks, which ``Path.rglob`` does not follow)."""
    for day in range(1, 1 + -(-rows // PER_DAY)):
        link_day(data, day, into)
    return into


def link_day(data: Path, day: int, into: Path) -> None:
    folder = into / _day_folder(data, day).name
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "part-0.parquet").exists():
        (folder / "part-0.parquet").hardlink_to(_day_folder(data, day) / "part-0.parquet")


# ---- the measurements, each in its own process -------------------------------------------


def _load_layout(path: Path) -> Any:
    from retrigger.drift.profiles import Layout

    return Layout.from_dict(json.loads(path.read_text()))


def task_layout(root: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    from dataclasses import asdict

    from retrigger.drift.engines.duckdb import DuckDBEngine

    engine = DuckDBEngine(memory_limit=args.memory_limit, threads=args.threads)
    layout = engine.layout(root)
    out.write_text(json.dumps(asdict(layout)))
    return {}


def task_duckdb(root: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    """A pass with the profile cache at ``out``'s folder; the merged profile written to ``out``."""
    from retrigger.drift.engines.duckdb import DuckDBEngine
    from retrigger.drift.profiles import ProfileCache

    layout = _load_layout(out.parent.parent / "layout.json")
    engine = DuckDBEngine(
        ProfileCache(out.parent / "cache"), memory_limit=args.memory_limit, threads=args.threads
    )
    result = engine.profile(root, layout)
    assert result.profile is not None, result.reason
    out.write_text(result.profile.to_json())
    return {"read": engine.partitions_profiled}


def task_spark(root: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    from pyspark.sql import SparkSession

    from retrigger.drift.engines.spark import SparkEngine
    from retrigger.drift.partitions import discover

    layout = _load_layout(out.parent.parent / "layout.json")
    session = (
        SparkSession.builder.master(f"local[{args.threads}]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.range(1).collect()  # the JVM is up before the clock starts
    _clock.update(wall=time.perf_counter(), cpu=time.process_time())
    result = SparkEngine(session=session).profile_parts(discover(root), layout, str(root))
    assert result.profile is not None, result.reason
    out.write_text(result.profile.to_json())
    return {"note": "CPU and RSS of the Python side only (the JVM is a child)"}


def task_pyarrow(root: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    """A plain pass: each day read by pyarrow, bins by numpy's searchsorted (right-closed)."""
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from retrigger.drift.profiles import ColumnProfile, DatasetProfile, merge_all

    layout = _load_layout(out.parent.parent / "layout.json")
    days = []
    for path in sorted(root.glob("*/*.parquet")):
        table = pq.read_table(path, columns=[c.name for c in layout.columns])
        cols = []
        for col in layout.columns:
            values = table.column(col.name)
            if col.kind == "num":
                x = values.to_numpy().astype(np.float64)
                x = x[np.isfinite(x)]
                index = np.searchsorted(np.asarray(col.edges), x, side="left")
                counts = np.bincount(index, minlength=col.n_buckets).tolist()
                low, high = (float(x.min()), float(x.max())) if x.size else (None, None)
            else:
                tally = pc.value_counts(pc.cast(values, "string").drop_null()).to_pylist()
                found = {d["values"]: d["counts"] for d in tally}
                counts = [found.get(k, 0) for k in col.keys]
                counts.append(sum(found.values()) - sum(counts))
                low = high = x = None
            present = sum(counts)
            cols.append(
                ColumnProfile(col.name, len(table), len(table) - present, tuple(counts), low, high)
            )
        days.append(DatasetProfile(layout, len(table), path.stat().st_size, 1, tuple(cols)))
    out.write_text(merge_all(layout, days).to_json())
    return {}


def task_scores(root: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Profile scores against scipy's exact ones on 1M rows: days 1–2 against days 3–4."""
    import numpy as np
    import pyarrow.parquet as pq
    from scipy import stats

    from retrigger.drift import profile_scores as ps
    from retrigger.drift.engines.duckdb import DuckDBEngine
    from retrigger.drift.partitions import discover

    parts = discover(root)
    ref_parts, cur_parts = parts[:2], parts[2:4]
    engine = DuckDBEngine(memory_limit=args.memory_limit, threads=args.threads)
    layout = engine.layout_of(ref_parts, "days 1-2")
    ref = engine.profile_parts(ref_parts, layout, "ref").profile
    cur = engine.profile_parts(cur_parts, layout, "cur").profile
    assert ref is not None and cur is not None
    gaps = {"ks": 0.0, "wasserstein": 0.0}
    for col in (c for c in layout.columns if c.kind == "num"):
        a, b = (
            np.concatenate(
                [
                    pq.read_table(f, columns=[col.name]).column(0).to_numpy()
                    for p in ps_
                    for f in p.files
                ]
            ).astype(np.float64)
            for ps_ in (ref_parts, cur_parts)
        )
        exact_ks = stats.ks_2samp(a, b).statistic
        exact_w = stats.wasserstein_distance(a, b) / np.std(a)
        r, c = ref.column(col.name), cur.column(col.name)
        w = ps.wasserstein(col, r, c).value / ps.binned_std(col, r)
        gaps["ks"] = max(gaps["ks"], abs(ps.ks(col, r, c).value - exact_ks))
        gaps["wasserstein"] = max(gaps["wasserstein"], abs(w - exact_w))
    worst = f"KS {gaps['ks']:.1e}, Wasserstein {gaps['wasserstein']:.1e}"
    return {"note": f"largest |profile - scipy|: {worst}", **gaps}


TASKS = {
    "layout": task_layout,
    "duckdb": task_duckdb,
    "spark": task_spark,
    "pyarrow": task_pyarrow,
    "scores": task_scores,
}
_clock: dict[str, float] = {}


def run_task(task: str, root: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    _clock.update(wall=time.perf_counter(), cpu=time.process_time())
    extra = TASKS[task](root, out, args)
    return {
        "wall": time.perf_counter() - _clock["wall"],
        "cpu": time.process_time() - _clock["cpu"],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **extra,
    }


def measure(
    task: str, root: Path, out: Path, args: argparse.Namespace, **over: Any
) -> dict[str, Any]:
    flags = {"memory_limit": args.memory_limit, "threads": args.threads, **over}
    command = [sys.executable, __file__, "--task", task, "--root", str(root), "--out", str(out)]
    command += [f"--memory-limit={flags['memory_limit']}", f"--threads={flags['threads']}"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {
            "failed": (done.stderr.strip().splitlines() or ["exit " + str(done.returncode)])[-1]
        }
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# ---- Evidently, in its own venv -----------------------------------------------------------

EVIDENTLY_SCRIPT = """
import resource, sys, time
from pathlib import Path
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
days = sorted(Path(sys.argv[1]).glob("*/*.parquet"))
half = len(days) // 2
started = time.perf_counter()
ref = pd.concat([pd.read_parquet(p) for p in days[:half]], ignore_index=True)
cur = pd.concat([pd.read_parquet(p) for p in days[half:]], ignore_index=True)
print("read", time.perf_counter() - started, flush=True)
Report([DataDriftPreset()]).run(cur, ref)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("done", time.perf_counter() - started, peak)
"""


def measure_evidently(root: Path, python: str, timeout: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [python, "-c", EVIDENTLY_SCRIPT, str(root)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        where = "after reading both halves" if "read" in out else "while reading the data"
        return {"failed": f"not done after {timeout:.0f} s ({where}); stopped"}
    wall = time.perf_counter() - started
    lines = done.stdout.split()
    if done.returncode != 0 or "done" not in lines:
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return {"failed": f"after {wall:.0f} s: {last[:120]}"}
    at = lines.index("done")
    return {
        "wall": float(lines[at + 1]),
        "rss_mb": float(lines[at + 2]),
        "note": "read + DataDriftPreset",
    }


# ---- the run ------------------------------------------------------------------------------


def _same(*paths: Path) -> bool:
    from retrigger.drift.profiles import DatasetProfile

    profiles = [DatasetProfile.from_json(p.read_text()) for p in paths if p.is_file()]
    return len(profiles) == len(paths) and all(p.columns == profiles[0].columns for p in profiles)


def _row(rows: int, what: str, r: dict[str, Any], note: str = "") -> str:
    if "failed" in r:
        return f"{rows:>12,}  {what:22} {'—':>8} {'—':>8} {'—':>8}  failed: {r['failed']}"
    cpu = f"{r['cpu']:8.1f}" if "cpu" in r else f"{'—':>8}"
    note = note or str(r.get("note", ""))
    return f"{rows:>12,}  {what:22} {r['wall']:8.1f} {cpu} {r['rss_mb']:8.0f}  {note}"


def _fit(points: list[tuple[int, float]]) -> str:
    import numpy as np

    if len(points) < 2:
        return "one size: no fit"
    x, y = np.array([p[0] for p in points], float), np.array([p[1] for p in points], float)
    a, b = np.polyfit(x, y, 1)
    r2 = 1 - float(np.sum((y - (a * x + b)) ** 2) / np.sum((y - y.mean()) ** 2))
    return f"{a * 1e6:.2f} s per 1M rows + {b:.1f} s, R² {r2:.4f}, at 100M: {a * 1e8 + b:.0f} s"


def run(args: argparse.Namespace, data: Path, work: Path) -> None:
    sizes = sorted(int(s) for s in args.rows.split(","))
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} CPUs", flush=True)
    generate(max(sizes[-1], 4 * PER_DAY), data)  # the scores read days 1-4
    small = first_days(data, sizes[0], work / "size0")
    lines = [_row(sizes[0], "layout", measure("layout", small, work / "x" / "layout.json", args))]
    print(lines[-1], flush=True)
    (work / "layout.json").write_text((work / "x" / "layout.json").read_text())
    walls, cpus = [], []
    for i, rows in enumerate(sizes):
        root = first_days(data, rows, work / f"size{i}")
        out = work / f"size{i}" / "duckdb.json"
        (work / f"size{i}" / "cache").mkdir(exist_ok=True)
        r = measure("duckdb", root, out, args)
        lines.append(_row(rows, f"duckdb full, {args.threads} thr", r))
        print(lines[-1], flush=True)
        walls.append((rows, r.get("wall", float("nan"))))
        cpus.append((rows, r.get("cpu", float("nan"))))
        if i == 0 and args.threads != 1:
            one = work / "one" / "duckdb.json"
            (work / "one" / "cache").mkdir(parents=True)
            r1 = measure("duckdb", root, one, args, threads=1)
            ratio = r1.get("wall", float("nan")) / r.get("wall", float("nan"))
            lines.append(
                _row(
                    rows,
                    "duckdb full, 1 thr",
                    r1,
                    f"speed-up at {args.threads} threads: {ratio:.2f}x",
                )
            )
            print(lines[-1], flush=True)
    full = walls[-1][1]
    new_day = 1 + -(-sizes[-1] // PER_DAY)
    generate(PER_DAY, data, first_day=new_day)
    last = work / f"size{len(sizes) - 1}"
    link_day(data, new_day, last)
    r = measure("duckdb", last, last / "plus1.json", args)
    share = r.get("wall", float("nan")) / full
    lines.append(
        _row(
            sizes[-1] + PER_DAY,
            "duckdb +1 day",
            r,
            f"{r.get('read')} partition read; {share:.1%} of the full pass",
        )
    )
    print(lines[-1], flush=True)
    lines += exactness(args, data, work)
    if args.evidently_python:
        ev = measure_evidently(small, args.evidently_python, args.evidently_timeout)
        lines.append(_row(sizes[0], "evidently 0.7", ev))
    print()
    print(f"load average after: {os.getloadavg()}")
    print(f"{'rows':>12}  {'measurement':22} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  note")
    print("\n".join(lines))
    print(f"duckdb full pass, wall: {_fit(walls)}")
    print(f"duckdb full pass, CPU:  {_fit(cpus)}")


def exactness(args: argparse.Namespace, data: Path, work: Path) -> list[str]:
    """Spark local[1] and local[2], DuckDB and pyarrow on the same days; scores vs scipy."""
    root = first_days(data, args.spark_rows, work / "spark")
    duck, arrow = work / "spark" / "duckdb.json", work / "spark" / "pyarrow.json"
    (work / "spark" / "cache").mkdir(exist_ok=True)
    lines = [_row(args.spark_rows, "duckdb full, same days", measure("duckdb", root, duck, args))]
    spark = {}
    if not args.no_spark:
        for n in (1, 2):
            spark[n] = work / "spark" / f"spark{n}.json"
            lines.append(
                _row(
                    args.spark_rows,
                    f"spark local[{n}]",
                    measure("spark", root, spark[n], args, threads=n),
                )
            )
            print(lines[-1], flush=True)
    r = measure("pyarrow", root, arrow, args)
    same = _same(duck, arrow, *spark.values())
    engines = "DuckDB, " + ("Spark local[1] and local[2], " if spark else "") + "pyarrow"
    lines.append(_row(args.spark_rows, "pyarrow pass", r, f"counts identical ({engines}): {same}"))
    lines.append(
        _row(
            1_000_000,
            "scores vs scipy",
            measure(
                "scores", first_days(data, 2_000_000, work / "scores"), work / "x" / "s.json", args
            ),
        )
    )
    print("\n".join(lines[-2:]), flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="10000000,30000000", help="sizes, comma-separated")
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--spark-rows", type=int, default=None, help="default: the smallest size")
    parser.add_argument("--no-spark", action="store_true", help="leave Spark out")
    parser.add_argument(
        "--evidently-python", default=EVIDENTLY if Path(EVIDENTLY).exists() else None
    )
    parser.add_argument("--evidently-timeout", type=float, default=900.0)
    parser.add_argument("--no-evidently", action="store_true")
    parser.add_argument("--data", type=Path, help="the generated days (kept); default: a temp dir")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        print(json.dumps(run_task(args.task, args.root, args.out, args)))
        return
    args.spark_rows = args.spark_rows or min(int(s) for s in args.rows.split(","))
    args.evidently_python = None if args.no_evidently else args.evidently_python
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "x").mkdir()
        run(args, args.data or work / "data", work)


if __name__ == "__main__":
    main()
