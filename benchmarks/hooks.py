"""The git hooks and ``retrigger delta``, side by side with DVC, on one generated repo.

In one run, median wall time of:

- the installed pre-commit hook on a commit that stages ``.dvc`` changes (rows counted cold:
  the md5-keyed row cache cleared before each run, and warm);
- the same hook on a commit with no data change                 (target: under 0.15 s),
  and ``retrigger-hook pre-commit`` alone (the Python path, without the hook's shell filter);
- ``dvc diff`` and ``dvc data status`` on the same staged repo  (data-change target: the hook
  under half of ``dvc diff``);
- ``retrigger delta HEAD --json`` on a 20M-row Parquet file vs a 20k-row one, cold (its time
  must not grow with rows: Parquet rows come from the footer only).

Usage: .venv/bin/python benchmarks/hooks.py [--runs N] [--rows N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    "DVC_NO_ANALYTICS": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@retrigger.local",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@retrigger.local",
}
CONFIG = "model: {{name: bench}}\ndata: [{path}]\n"


def sh(cwd: Path, *args: str) -> None:
    subprocess.run(
        args, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def median(
    argv: list[str], cwd: Path, runs: int, before: Callable[[], None] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        subprocess.run(
            argv, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def row_count_seconds(path: Path, runs: int) -> float:
    """The footer read alone, in this process (pyarrow already imported)."""
    from retrigger.data.rows import count_rows

    count_rows(path, ".parquet", path.name)  # import pyarrow outside the timing
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        count_rows(path, ".parquet", path.name)
        values.append(time.perf_counter() - started)
    return statistics.median(values)


def write_parquet(path: Path, rows: int, seed: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    step = 1_000_000
    schema = pa.schema([("id", pa.int64()), ("segment", pa.int8()), ("x", pa.float32())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, step):
            count = min(step, rows - start)
            writer.write_table(
                pa.table(
                    {
                        "id": np.arange(start, start + count, dtype=np.int64),
                        "segment": rng.integers(0, 8, count, dtype=np.int8),
                        "x": np.round(rng.random(count, dtype=np.float32), 2),
                    },
                    schema=schema,
                )
            )


def write_csv(path: Path, rows: int) -> None:
    with path.open("w") as handle:
        handle.write("id,value\n")
        handle.writelines(f"{i},{i % 97}\n" for i in range(rows))


def build(root: Path, big_rows: int) -> None:
    data = root / "data"
    data.mkdir(parents=True)
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "dvc", "init", "-q")
    write_parquet(data / "big.parquet", big_rows, 1)
    write_parquet(data / "small.parquet", 20_000, 2)
    write_csv(data / "events.csv", 100_000)
    sh(root, "dvc", "add", "-q", "data/big.parquet", "data/small.parquet", "data/events.csv")
    (root / "notes.txt").write_text("v1\n")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "v1")
    # The new versions: 1% more rows each.
    write_parquet(data / "big.parquet", big_rows + big_rows // 100, 3)
    write_parquet(data / "small.parquet", 20_200, 4)
    write_csv(data / "events.csv", 101_000)
    sh(root, "dvc", "add", "-q", "data/big.parquet", "data/small.parquet", "data/events.csv")
    for name in ("big", "small"):
        (root / f"{name}.yaml").write_text(CONFIG.format(path=f"data/{name}.parquet"))
    sh(root, sys.executable, "-m", "retrigger", "hooks", "install")


def measure(root: Path, runs: int) -> dict[str, float]:
    hook = [str(root / ".git" / "hooks" / "pre-commit")]
    rows_cache = root / ".dvc" / "tmp" / "retrigger-rows.json"

    def cold() -> None:
        rows_cache.unlink(missing_ok=True)

    found: dict[str, float] = {}
    sh(root, "git", "add", "data/big.parquet.dvc", "data/small.parquet.dvc", "data/events.csv.dvc")
    found["hook: data change (cold row counts)"] = median(hook, root, runs, cold)
    found["hook: data change (warm)"] = median(hook, root, runs)
    found["dvc diff"] = median([str(BIN / "dvc"), "diff"], root, runs)
    found["dvc data status"] = median([str(BIN / "dvc"), "data", "status"], root, runs)
    # Alternate the two so that a busy machine slows both alike.
    times: dict[str, list[float]] = {"big": [], "small": []}
    for _ in range(runs):
        for name in times:
            times[name].append(
                median(
                    [str(BIN / "retrigger"), "delta", "HEAD", "--json", "--config", f"{name}.yaml"],
                    root,
                    1,
                    cold,
                )
            )
    for name, values in times.items():
        found[f"retrigger delta, {name} Parquet (cold)"] = statistics.median(values)
    for name in times:
        found[f"  of which: row count of {name} Parquet"] = row_count_seconds(
            root / "data" / f"{name}.parquet", runs
        )
    sh(root, "git", "reset", "-q")
    (root / "notes.txt").write_text("v2\n")
    sh(root, "git", "add", "notes.txt")
    found["hook: no data change"] = median(hook, root, runs)
    # The same without the installed hook's shell pre-filter: Python starts and asks git.
    found["retrigger-hook pre-commit: no data change"] = median(
        [str(BIN / "retrigger-hook"), "pre-commit"], root, runs
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=20_000_000, help="rows of the big Parquet")
    parser.add_argument("--keep", type=Path, help="build the repo here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="retrigger-bench-hooks-"))
    try:
        started = time.perf_counter()
        build(folder / "repo", args.rows)
        print(
            f"built the repo ({args.rows:,}-row and 20,000-row Parquet, 100,000-row CSV) in "
            f"{time.perf_counter() - started:.1f} s; median of {args.runs} runs:"
        )
        found = measure(folder / "repo", args.runs)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    for name, seconds in found.items():
        print(f"  {name:<42} {seconds * 1000:9.2f} ms")
    verdicts = [
        ("no-change hook under 0.15 s", found["hook: no data change"] < 0.15),
        (
            "data-change hook (cold) under half of dvc diff",
            found["hook: data change (cold row counts)"] < found["dvc diff"] / 2,
        ),
        (
            "delta on 20M rows within 1.5x of 20k rows",
            found["retrigger delta, big Parquet (cold)"]
            < 1.5 * found["retrigger delta, small Parquet (cold)"],
        ),
    ]
    for text, ok in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")


if __name__ == "__main__":
    main()
