"""retrigger's own overhead over the `dvc repro` it wraps, side by side in one run.

On the demo project after its check fired (new data committed, a DVC remote configured), three
identical copies are timed:

- ``dvc repro``                        the bare retrain
- ``dvc repro && dvc push``            what the seed workflow runs (retrain, then push)
- ``retrigger run --decision ID``      lock, repro, validate, push + verify, MLflow run,
                                       registry version and alias, state store, outbox

overhead = retrigger run − dvc repro (target: under 2 s). A warm-up copy runs first so Python's
bytecode and the OS caches are warm for all three, as on a CI runner's second job.

Validation scoring (``validation:``) scales with the rows, so it is reported on its own lines:
reading the rows, loading the demo's MLflow model with pyfunc and scoring it, at 10k and 1M rows
(the gate does this twice: challenger and champion).

Usage: .venv/bin/python benchmarks/run_overhead.py [--runs N] [--scoring-only]
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
from pathlib import Path

BIN = Path(sys.executable).parent


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    clean.update(
        DVC_NO_ANALYTICS="1",
        MLFLOW_DISABLE_TELEMETRY="true",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return clean


def build(root: Path) -> str:
    """The demo project after the check fired; returns the decision id."""
    from retrigger.commands.check import check as run_check
    from retrigger.demo import project
    from retrigger.workspace import Workspace

    project.build_project(root)
    workspace = Workspace.load(root / "retrigger.yaml")
    project.record_baseline(workspace)
    project.degrade(root)
    project.monitor(root)
    project.sh(root, "dvc", "remote", "add", "-q", "-d", "store", "../remote")
    decision = run_check(workspace)
    assert decision.fire, decision
    return decision.id


def timed(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        argv, cwd=cwd, check=True, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def fresh(template: Path, folder: Path, name: str) -> Path:
    target = folder / name / "project"
    shutil.copytree(template, target, symlinks=True)
    (target.parent / "remote").mkdir()
    return target


def one_round(template: Path, folder: Path, decision: str, index: int) -> dict[str, float]:
    run = [str(BIN / "retrigger"), "run", "--decision", decision, "--json"]
    return {
        "dvc repro": timed(["dvc", "repro"], fresh(template, folder, f"bare-{index}")),
        "dvc repro && dvc push": timed(
            ["sh", "-c", "dvc repro && dvc push"], fresh(template, folder, f"push-{index}")
        ),
        "retrigger run": timed(run, fresh(template, folder, f"run-{index}")),
    }


def scoring_seconds(folder: Path, rows: int) -> tuple[float, float, float]:
    """(read, load, score) seconds for the demo model on ``rows`` labelled rows."""
    import mlflow.sklearn
    import sklearn

    from retrigger.config.metrics import resolve
    from retrigger.config.models import ValidationConfig
    from retrigger.demo import project
    from retrigger.demo.data import rows as make_rows
    from retrigger.demo.data import write_csv
    from retrigger.evaluation import scoring

    sys.path.insert(0, str(project.ASSETS))
    from features import TARGET, make_model, read  # type: ignore[import-not-found]

    write_csv(folder / "train.csv", make_rows(5000, seed=7, shifted=False))
    train = read(folder / "train.csv")
    model_dir = folder / f"model-{rows}"
    mlflow.sklearn.save_model(
        make_model().fit(train.drop(columns=TARGET), train[TARGET]),
        str(model_dir),
        pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
    )
    write_csv(folder / f"rows-{rows}.csv", make_rows(rows, seed=11, shifted=True))
    validation = ValidationConfig(data=f"rows-{rows}.csv", target=TARGET, metric="accuracy")
    started = time.perf_counter()
    labelled = scoring.read_labelled(folder, validation)
    read_at = time.perf_counter()
    loaded = scoring.load(str(model_dir), f"sqlite:///{folder / 'unused.db'}")
    load_at = time.perf_counter()
    metric = resolve("accuracy")
    assert metric is not None
    scoring.score(loaded, labelled, metric)
    return read_at - started, load_at - read_at, time.perf_counter() - load_at


def report_scoring() -> None:
    with tempfile.TemporaryDirectory(prefix="retrigger-bench-score-") as tmp:
        for rows in (10_000, 1_000_000):
            read_s, load_s, score_s = scoring_seconds(Path(tmp), rows)
            print(
                f"{'validation scoring':<24} {rows:>9,} rows: read {read_s:5.2f} s, "
                f"load {load_s:5.2f} s, predict+metric {score_s:5.2f} s (per model)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--scoring-only", action="store_true", help="only the validation scoring lines"
    )
    args = parser.parse_args()
    if args.scoring_only:
        report_scoring()
        return
    with tempfile.TemporaryDirectory(prefix="retrigger-bench-") as tmp:
        folder = Path(tmp)
        template = folder / "template" / "project"
        decision = build(template)
        timed(
            [str(BIN / "retrigger"), "run", "--decision", decision],
            fresh(template, folder, "warmup"),
        )
        rounds = [one_round(template, folder, decision, i) for i in range(args.runs)]
    medians = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    for key, seconds in medians.items():
        print(f"{key:<24} {seconds:6.2f} s")
    overhead = medians["retrigger run"] - medians["dvc repro"]
    print(f"{'overhead vs dvc repro':<24} {overhead:6.2f} s  (target < 2 s)")
    print(
        f"{'overhead vs repro+push':<24} "
        f"{medians['retrigger run'] - medians['dvc repro && dvc push']:6.2f} s"
    )
    report_scoring()


if __name__ == "__main__":
    main()
