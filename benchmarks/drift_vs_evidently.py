"""retrigger's drift engine against Evidently's DataDriftPreset, on the same Parquet files.

    .venv/bin/python benchmarks/drift_vs_evidently.py                  # 10k, 300k, 1M rows
    .venv/bin/python benchmarks/drift_vs_evidently.py --sizes 10000000 --no-evidently

Evidently (latest 0.7.x) lives in its own venv (``--venv``, default /work/bench-venv), created
here when absent; it is never a dependency of retrigger. Printed per size:

- whole process: ``retrigger drift REF CUR --json`` as a user runs it, beside a fresh Python
  that imports Evidently, reads both files with pandas and runs ``DataDriftPreset`` (best of
  ``--repeat`` runs each, so a busy machine's noise falls out), the ratio, and the share of
  retrigger's time that is interpreter start-up and imports (a process that only imports);
- warm: load + compute in a process whose imports are already done, peak RSS of each;
- per-column agreement of test and verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

EVIDENTLY_SPEC = ["evidently>=0.7,<0.8", "pandas<3", "pyarrow"]
# Evidently reports a test by its display name.
EVIDENTLY_NAMES = {
    "K-S p_value": "ks",
    "chi-square p_value": "chi2",
    "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein",
    "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi",
}
DRIFTED = {"n1", "n3", "i1", "i3", "s1", "s2", "b1", "f_lo"}


CHUNK = 1_000_000


def generate(rows: int, path: Path, drift: bool, seed: int) -> None:
    """20 mixed columns; with ``drift`` the columns in DRIFTED change distribution.

    Written a million rows at a time, so a 10M-row file does not need 10M Python strings.
    """
    import pyarrow.parquet as pq

    writer = None
    for start in range(0, rows, CHUNK):
        table = _chunk(min(CHUNK, rows - start), drift, seed * 1000 + start // CHUNK)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def _chunk(rows: int, drift: bool, seed: int) -> Any:
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    d = drift

    def cats(values: list[str], probs: list[float]) -> np.ndarray:
        return rng.choice(np.array(values, dtype=object), rows, p=probs)

    n6 = rng.normal(0, 1, rows)
    n6[rng.random(rows) < 0.05] = np.nan
    s3 = cats(["a", "b", "c", "d"], [0.4, 0.3, 0.2, 0.1])
    s3[rng.random(rows) < 0.1] = None
    s2_values = ["p", "q", "r", "s"] + (["new"] if d else [])
    s2_probs = [0.3, 0.3, 0.2, 0.2] if not d else [0.25, 0.25, 0.15, 0.15, 0.2]
    table = {
        "n0": rng.normal(0, 1, rows),
        "n1": rng.normal(0.3 if d else 0, 1, rows),
        "n2": rng.exponential(2.0, rows),
        "n3": rng.normal(5, 1.5 if d else 1, rows),
        "n4": rng.uniform(-1, 1, rows),
        "n5": rng.lognormal(0, 0.5, rows),
        "n6": n6,
        "i0": rng.integers(0, 1000, rows),
        "i1": rng.poisson(23 if d else 20, rows),
        "i2": rng.integers(0, 8, rows),
        "i3": rng.choice(4, rows, p=[0.1, 0.2, 0.3, 0.4] if d else [0.25] * 4),
        "f_lo": rng.choice([0.0, 0.5, 1.0], rows, p=[0.2, 0.3, 0.5] if d else [0.5, 0.3, 0.2]),
        "f_mid": rng.integers(0, 12, rows) / 4,
        "s0": cats(["red", "green", "blue", "black", "white"], [0.2] * 5),
        "s1": cats(["x", "y", "z"], [0.6, 0.3, 0.1] if d else [0.2, 0.3, 0.5]),
        "s2": cats(s2_values, s2_probs),
        "s3": s3,
        "b0": rng.random(rows) < 0.3,
        "b1": rng.random(rows) < (0.6 if d else 0.3),
        "const": np.ones(rows),
    }
    return pa.table({k: pa.array(v) for k, v in table.items()})


def generate_edge_cases(rows: int, path: Path, drift: bool, seed: int) -> None:
    """Columns at Evidently's decision boundaries: missing values, ±inf, integers with a missing
    value (read as floats by pandas), 5 vs 6 values, 10 vs 11 integers, a category only in
    current, pandas ``category``, and strings just under the text limit."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    shift = 0.2 if drift else 0.0
    nan_f = rng.normal(shift, 1, rows)
    nan_f[rng.random(rows) < 0.3] = np.nan
    inf_f = rng.normal(shift, 1, rows)
    inf_f[:3] = np.inf
    int_null = [None if rng.random() < 0.01 else int(v) for v in rng.integers(0, 4, rows)]
    pq.write_table(
        pa.table(
            {
                "nan_f": nan_f,
                "inf_f": inf_f,
                "int_null": pa.array(int_null, pa.int64()),
                "five": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], rows),
                "six": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], rows),
                "int10": rng.integers(0, 10, rows) + (1 if drift else 0),
                "int11": rng.integers(0, 12 if drift else 11, rows),
                "cat_new": rng.choice(["a", "b", "c"] if drift else ["a", "b"], rows),
                "pd_category": pa.array(rng.choice(["x", "y", "z"], rows)).dictionary_encode(),
                "half_text": rng.choice([f"v{i}" for i in range(rows // 3)], rows),
                "two_values": rng.choice([10.0, 20.0], rows, p=[0.4, 0.6] if drift else [0.5, 0.5]),
            }
        ),
        path,
    )


def run_retrigger(ref: Path, cur: Path) -> dict[str, object]:
    from retrigger.drift.engine import DriftOptions, compare
    from retrigger.drift.io import open_table

    with open_table(ref) as reference:  # warm-up: first calls into scipy load its submodules
        compare(reference, reference, DriftOptions(plots=False, columns=reference.names[:1]))
    start = time.perf_counter()
    with open_table(ref) as reference, open_table(cur) as current:
        report = compare(reference, current, DriftOptions(plots=False))
    seconds = time.perf_counter() - start
    columns = {
        name: {"test": c.test, "drift": c.drift, "score": c.score}
        for name, c in report.columns.items()
    }
    return {"seconds": seconds, "columns": columns, "drift": report.drift}


def run_evidently(ref: Path, cur: Path) -> dict[str, object]:
    import pandas as pd  # type: ignore[import-untyped]  # (the benchmark venv's)
    from evidently import Report  # type: ignore[import-not-found]
    from evidently.presets import DataDriftPreset  # type: ignore[import-not-found]

    warm = pd.DataFrame({"a": [1.0, 2.0, 3.0] * 10, "b": ["x", "y", "z"] * 10})
    Report([DataDriftPreset()]).run(warm, warm)
    start = time.perf_counter()
    snapshot = Report([DataDriftPreset()], include_tests=True).run(
        pd.read_parquet(cur), pd.read_parquet(ref)
    )
    result = snapshot.dict()
    seconds = time.perf_counter() - start
    scores = {
        m["config"]["column"]: (m["config"]["method"], m["value"])
        for m in result["metrics"]
        if m["config"]["type"].endswith("ValueDrift")
    }
    columns: dict[str, object] = {}
    for test in result["tests"]:
        if test["id"] == "drift":
            name = test["metric_config"]["params"]["column"]
            method, score = scores[name]
            columns[name] = {
                "test": EVIDENTLY_NAMES.get(method, method),
                "drift": test["status"] == "FAIL",
                "score": score,
            }
    return {"seconds": seconds, "columns": columns}


def run_evidently_cold(ref: Path, cur: Path) -> dict[str, object]:
    """Everything a fresh process does, imports included: what a CI job with Evidently pays."""
    import pandas as pd  # type: ignore[import-untyped]
    from evidently import Report  # type: ignore[import-not-found]
    from evidently.presets import DataDriftPreset  # type: ignore[import-not-found]

    Report([DataDriftPreset()], include_tests=True).run(
        pd.read_parquet(cur), pd.read_parquet(ref)
    ).dict()
    return {}


def worker(which: str, ref: Path, cur: Path) -> None:
    if which == "evidently-cold":
        run_evidently_cold(ref, cur)
        return
    out = run_retrigger(ref, cur) if which == "retrigger" else run_evidently(ref, cur)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if python.exists():
        return python
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if shutil.which("uv"):
        cmd = ["uv", "pip", "install", "-q", "--python", str(python), *EVIDENTLY_SPEC]
    else:
        cmd = [str(python), "-m", "pip", "install", "-q", *EVIDENTLY_SPEC]
    subprocess.run(cmd, check=True)
    return python


def spawn(python: str, which: str, ref: Path, cur: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [python, __file__, "--worker", which, str(ref), str(cur)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# What `retrigger drift` imports before it reads a byte: start-up and imports, nothing else.
IMPORTS_ONLY = (
    "import retrigger.cli.main, retrigger.commands.drift, retrigger.drift.sources, "
    "retrigger.drift.engine, retrigger.drift.io"
)


def best_of(repeat: int, argv: list[str]) -> float:
    """The fastest of ``repeat`` runs of a whole process, in seconds."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return min(times)


def whole_process(
    ref: Path, cur: Path, evidently: str | None, repeat: int
) -> tuple[float, float, float | None]:
    """Seconds for `retrigger drift`, for its imports alone, and for Evidently (or None)."""
    ours = best_of(
        repeat, [sys.executable, "-m", "retrigger", "drift", str(ref), str(cur), "--json"]
    )
    imports = best_of(repeat, [sys.executable, "-c", IMPORTS_ONLY])
    theirs = None
    if evidently is not None:
        theirs = best_of(
            repeat, [evidently, __file__, "--worker", "evidently-cold", str(ref), str(cur)]
        )
    return ours, imports, theirs


Columns = dict[str, dict[str, object]]


def compare_columns(ours: Columns, theirs: Columns) -> list[str]:
    lines = []
    for name in sorted(set(ours) | set(theirs)):
        a, b = ours.get(name, {}), theirs.get(name, {})
        same = a.get("test") == b.get("test") and a.get("drift") == b.get("drift")
        lines.append(
            f"    {name:6} {'same' if same else 'DIFF'}"
            f"  ours={a.get('test')}/{a.get('drift')}/{_fmt(a.get('score'))}"
            f"  evidently={b.get('test')}/{b.get('drift')}/{_fmt(b.get('score'))}"
            f"  known_drift={name in DRIFTED}"
        )
    return lines


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def print_whole_process(ref: Path, cur: Path, evidently: str | None, repeat: int) -> None:
    ours, imports, theirs = whole_process(ref, cur, evidently, repeat)
    print(
        f"  whole process: retrigger drift {ours:.2f} s "
        f"(start-up + imports {imports:.2f} s, {imports / ours:.0%})"
    )
    if theirs is not None:
        print(f"  whole process: evidently {theirs:.2f} s, speed-up {theirs / ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=3, metavar=("WHICH", "REF", "CUR"))
    parser.add_argument("--sizes", default="10000,300000,1000000")
    parser.add_argument("--repeat", type=int, default=3, help="Whole-process runs, best kept.")
    parser.add_argument("--venv", default=os.environ.get("BENCH_VENV", "/work/bench-venv"))
    parser.add_argument("--data", default="/tmp/retrigger-drift-bench")
    parser.add_argument("--no-evidently", action="store_true")
    parser.add_argument(
        "--edge-cases",
        action="store_true",
        help="Compare boundary-case columns at the given sizes instead.",
    )
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
        return
    evidently = None if args.no_evidently else str(ensure_venv(Path(args.venv)))
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    for rows in (int(s) for s in args.sizes.split(",")):
        kind = "edge" if args.edge_cases else "mixed"
        ref, cur = data / f"{kind}-ref-{rows}.parquet", data / f"{kind}-cur-{rows}.parquet"
        make = generate_edge_cases if args.edge_cases else generate
        make(rows, ref, drift=False, seed=1)
        make(rows, cur, drift=True, seed=2)
        ours = spawn(sys.executable, "retrigger", ref, cur)
        print(f"rows={rows:,} x {len(ours['columns'])} {kind} columns")  # type: ignore[arg-type]
        print_whole_process(ref, cur, evidently, args.repeat)
        print(f"  warm retrigger: {ours['seconds']:.3f} s, peak RSS {ours['peak_rss_mb']:.0f} MB")
        if evidently is None:
            continue
        theirs = spawn(evidently, "evidently", ref, cur)
        rss = theirs["peak_rss_mb"]
        print(f"  warm evidently: {theirs['seconds']:.3f} s, peak RSS {rss:.0f} MB")
        print(
            f"  speed-up {theirs['seconds'] / ours['seconds']:.1f}x, "  # type: ignore[operator]
            f"RSS ratio {ours['peak_rss_mb'] / theirs['peak_rss_mb']:.2f}"
        )  # type: ignore[operator]
        lines = compare_columns(ours["columns"], theirs["columns"])  # type: ignore[arg-type]
        agree = sum(" same " in line for line in lines)
        print(f"  agreement (test and verdict): {agree}/{len(lines)} columns")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
