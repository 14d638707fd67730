"""Startup cost, side by side in one run: median wall time of

- ``python -c pass``            (the interpreter alone)
- ``retrigger --help``          (target: under 0.3 s)
- ``mlflow --version``          (what importing mlflow costs)
- ``retrigger check --json``    (on the demo project: a full decision with MLflow)

Usage: .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def median_seconds(argv: list[str], runs: int, cwd: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo"
        subprocess.run(
            [str(BIN / "retrigger"), "demo", str(demo)], check=True, stdout=subprocess.DEVNULL
        )
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("retrigger --help", [str(BIN / "retrigger"), "--help"], None),
            ("mlflow --version", [str(BIN / "mlflow"), "--version"], None),
            ("retrigger check --json", [str(BIN / "retrigger"), "check", "--json"], demo),
        ]
        results = {name: median_seconds(argv, runs, cwd) for name, argv, cwd in rows}
    base = results["python -c pass"]
    print(f"median of {runs} runs each")
    print(f"{'command':<26}{'seconds':>9}{'× python':>10}")
    for name, seconds in results.items():
        print(f"{name:<26}{seconds:>9.3f}{seconds / base:>10.1f}")
    help_time = results["retrigger --help"]
    verdict = "meets" if help_time < 0.3 else "MISSES"
    print(
        f"retrigger --help {help_time:.3f} s {verdict} the 0.3 s target; "
        f"check/--help ratio {results['retrigger check --json'] / help_time:.1f}"
    )


if __name__ == "__main__":
    main()
