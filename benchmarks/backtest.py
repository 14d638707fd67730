"""How ``retrigger backtest`` grows with history: 25 → 50 → 100 data versions of a 100k-row CSV.

    .venv/bin/python benchmarks/backtest.py                      # 25, 50, 100 versions
    .venv/bin/python benchmarks/backtest.py --versions 10,20,40 --rows 20000

One real git + DVC repo is built with the largest number of versions (``dvc add`` in process,
one commit each, a day apart); each size replays the first N versions (``--to``) in a fresh
process with drift (5 columns) and volume configured and a cold row-count cache. Every version
holds 100k to 119k rows (1000 added per version, pruned every 20), so sizes cost the same per
version. Printed per size: wall time, peak RSS, time per version, and the cost of each version
added since the smallest size: linear growth shows as a flat time per version.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CONFIG = """\
model: {name: bench, metric: accuracy, metrics_file: null}
tracking: {uri: "sqlite:///mlflow.db", experiment: bench}
data: [data/train.csv]
signals:
  volume: {min_new_rows: 5000}
  drift: {share: 0.4, columns: [n0, n1, n2, cat]}
policy: {cooldown: 0s}
"""
GROWTH = 1000  # rows added per version: a volume retrain every five versions...
CYCLE = 20  # ...and every twentieth version old rows are pruned: the size stays near ``rows``
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def build(root: Path, versions: int, rows: int) -> list[str]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from dvc.repo import Repo

    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    dvc = str(Path(sys.executable).parent / "dvc")
    subprocess.run([dvc, "init", "-q"], cwd=root, check=True)
    # Autostage: DVC stages the .dvc files itself instead of printing how to.
    subprocess.run([dvc, "config", "core.autostage", "true"], cwd=root, check=True)
    (root / "retrigger.yaml").write_text(CONFIG)
    rng = np.random.default_rng(7)
    total = rows + GROWTH * CYCLE
    base = {f"n{i}": rng.normal(0, 1, total) for i in range(3)}
    base["cat"] = rng.choice(np.array(["a", "b", "c", "d"]), total)
    base["id"] = np.arange(total)
    shas = []
    for k in range(versions):
        n = rows + GROWTH * (k % CYCLE)
        table = {name: values[:n] for name, values in base.items()}
        # Unique content per version (the ids): no two versions share an md5, so no cache
        # answers for a version it met before.
        table["id"] = table["id"] + k * 1_000_000
        if (k // 10) % 2 == 1:  # every other block of ten versions, two columns shift
            table["n0"] = table["n0"] + 1.0
            table["n1"] = table["n1"] * 2.0
        (root / "data").mkdir(exist_ok=True)
        pacsv.write_csv(pa.table(table), root / "data" / "train.csv")
        quiet = io.StringIO()
        with (
            contextlib.redirect_stdout(quiet),
            contextlib.redirect_stderr(quiet),
            Repo(str(root)) as repo,
        ):
            repo.add(str(root / "data" / "train.csv"))
        _git(root, "add", "-A")
        when = (T0 + timedelta(days=k)).isoformat()
        _git(
            root,
            "commit",
            "-q",
            "-m",
            f"version {k}",
            env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
        )
        shas.append(_git(root, "rev-parse", "HEAD").strip())
    return shas


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    import os

    full = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "b@bench.local",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "b@bench.local",
        **(env or {}),
    }
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True, env=full
    ).stdout


CHILD = """
import json, resource, sys, time
from pathlib import Path
from retrigger.commands.backtest import Span, backtest
start = time.perf_counter()
result = backtest(Path(sys.argv[1]), Span(to_rev=sys.argv[2]))
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "points": len(result.replay.results),
                  "retrains": result.replay.retrains}))
"""


def measure(root: Path, sha: str) -> dict[str, float]:
    (root / ".dvc" / "tmp" / "retrigger-rows.json").unlink(missing_ok=True)  # cold counts
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(root / "retrigger.yaml"), sha],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", default="25,50,100")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the repo here")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.versions.split(","))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="retrigger-bench-backtest-"))
    root = folder / "repo"
    started = time.perf_counter()
    shas = build(root, sizes[-1], args.rows) if not root.exists() else _existing(root)
    print(
        f"built {sizes[-1]} versions of {args.rows:,}+ rows in "
        f"{time.perf_counter() - started:.0f} s ({root})"
    )
    first: dict[str, float] | None = None
    for size in sizes:
        found = measure(root, shas[size - 1])
        per = found["seconds"] / size
        line = (
            f"{size:4d} versions: {found['seconds']:7.1f} s, peak RSS "
            f"{found['peak_mb']:6.0f} MB, {per:.2f} s/version, "
            f"{found['retrains']:.0f} replayed retrains"
        )
        if first is None:
            first = {**found, "size": size}
        else:  # the cost of the versions added since the smallest size, per version
            extra = (found["seconds"] - first["seconds"]) / (size - first["size"])
            line += f"; each added version {extra:.2f} s"
        print(line)
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


def _existing(root: Path) -> list[str]:
    return _git(root, "log", "--reverse", "--format=%H").split()


if __name__ == "__main__":
    main()
