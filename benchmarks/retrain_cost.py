"""What a retraining policy costs against the hindsight Oracle, on five drifting streams (issue 25).

Each stream (``benchmarks/cost_streams.py``: SEA, Agrawal, Hyperplane, FriedmanDrift from river's
seeded generators, NannyML's car loan from its wheel) is written as a real git + DVC history, a
commit per period (``benchmarks/cost_history.py``). Its evaluation matrix ``M[i][j]`` comes from
``retrigger backtest --train --json`` (``benchmarks/cost_matrix.py``); each schedule is then
tuned and scored by the product's ``backtest --tune`` command function on that matrix, with
``backtest.cost`` and ``policy.cost`` set by ``--set``:

- the retrain cost ``C = α × s̄``, ``s̄`` the mean per-period staleness of the never-retrained
  model over the whole history (price 1 per row per unit of metric), α in {0.5, 1, 2, 5, 10};
- thresholds tuned on the first half of the periods (1-25 of 50), scored on the rest (26-50):
  retrigger's default policy (``retrigger init``'s signals: its ``max_drop`` and ``max_age``
  tuned), the cost policy (``policy.mode: cost``, its C multiplier tuned), the fixed period
  (k tuned alike), every period and never, each as ``J / J(Oracle)`` of the scored half and its
  retrain count.

Goal: the cost policy's median ratio ≤ 1.10 over the cells, and ≤ the tuned fixed period's ratio
in ≥ 75 % of them.

    .venv/bin/uv pip install --python .venv/bin/python -e '.[dev,bench]'
    .venv/bin/python benchmarks/retrain_cost.py                       # 5 streams × 50 periods
    .venv/bin/python benchmarks/retrain_cost.py --streams sea,agrawal --periods 20
    .venv/bin/python benchmarks/retrain_cost.py --matrix crosscheck   # no --train (labelled)
    .venv/bin/python benchmarks/retrain_cost.py --matrices /tmp/cost  # rerun: nothing retrained

``--matrices DIR`` keeps each stream's history at ``DIR/<stream>`` and its cross-check matrix
beside it, and reuses both on a rerun (the product's ``backtest --train`` reuses the models it
trained there: a rerun trains nothing twice); a history written with other ``--periods`` /
``--train-rows`` / ``--valid-rows`` is refused (``DIR/<stream>.args``).

``--matrix auto`` (default) uses the product's matrix and falls back, saying so, to the
in-process cross-check when ``backtest --train`` is not available; ``product`` never falls back.
With the product's matrix the cross-check is computed too and the largest cell gap printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

# HistGradientBoosting's OpenMP threads spin on a loaded machine (a 1,500-row fit took 15 s with
# the default threads under load 15, measured); one thread each, here and in the stages run.
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import cost_history, cost_matrix, cost_streams  # noqa: E402
from retrigger.backtest import cost, walk  # noqa: E402
from retrigger.commands import backtest_tune  # noqa: E402

ALPHAS = (0.5, 1.0, 2.0, 5.0, 10.0)
COLUMNS = ("default", "cost", "fixed", "every", "never")


@dataclass(frozen=True)
class Result:
    ratio: float | None
    retrains: int | None
    note: str = ""  # the fixed period's k, the tuned C multiplier


@dataclass(frozen=True)
class Cell:
    stream: str
    alpha: float
    results: dict[str, Result]


def matrix_of(stream: cost_streams.Stream, root: Path, how: str) -> tuple[NDArray[np.float64], str]:
    if how == "crosscheck":
        return crosscheck(stream, root), "crosscheck (in process, not the product's)"
    try:
        found, _ = cost_matrix.product(root)
    except RuntimeError as exc:
        if how == "product":
            raise
        print(f"  {stream.name}: the product's matrix failed ({exc}); using the cross-check")
        return crosscheck(stream, root), "crosscheck (in process, not the product's)"
    gap = cost_matrix.compare(crosscheck(stream, root), found)
    print(f"  {stream.name}: the product's matrix vs the cross-check: {gap}")
    return found, "product (backtest --train)"


def crosscheck(stream: cost_streams.Stream, root: Path) -> NDArray[np.float64]:
    """The cross-check's matrix, kept beside the history (``--matrices``) and reused from there."""
    kept = root.with_name(f"{root.name}.crosscheck.npy")
    if kept.exists():
        return np.asarray(np.load(kept), dtype=np.float64)
    found = cost_matrix.crosscheck(stream)
    np.save(kept, found)
    return found


def history(root: Path, stream: cost_streams.Stream, args: argparse.Namespace) -> None:
    """``stream``'s history at ``root``: written, or reused when written with the same args."""
    stamp = root.with_name(f"{root.name}.args")
    said = f"periods={args.periods} train_rows={args.train_rows} valid_rows={args.valid_rows}\n"
    if root.exists():
        if not stamp.exists() or stamp.read_text() != said:
            print(
                f"{root} was not written with {said.strip()} ({stamp}): remove it", file=sys.stderr
            )
            raise SystemExit(2)
        print(f"  {stream.name}: reusing the history and trained models at {root}")
        return
    cost_history.write(root, stream)
    stamp.write_text(said)


def mean_never_staleness(stream: cost_streams.Stream, matrix: NDArray[np.float64]) -> float:
    rows = tuple(float(len(train)) for train, _ in stream.periods)
    problem = cost.CostProblem(matrix, stream.greater_is_better, 0.0, rows, 1.0)
    never = cost.never(problem)
    return never.staleness / max(1, problem.periods - 1)


def tune(
    root: Path, matrix: NDArray[np.float64], sets: Sequence[str], trained: bool
) -> backtest_tune.Tuned:
    """The product's ``backtest --tune``: with ``trained``, ``--train``'s own matrix (the models
    already trained are reused from ``.retrigger/backtest/``); else the cross-check's matrix,
    swapped in where the command builds it (``backtest_tune.problem``), the rest the product's."""
    last = cost_history.T0 + timedelta(days=7 * (matrix.shape[0] - 1))
    config, now = root / "retrigger.yaml", last + timedelta(days=7)
    if trained:
        return backtest_tune.tune_backtest(config, walk.Span(), sets, 0.5, now, train=True)
    original = backtest_tune.problem

    def swapped(*args: Any) -> cost.CostProblem:
        return dataclasses.replace(original(*args), matrix=matrix)

    backtest_tune.problem = swapped  # type: ignore[assignment]
    try:
        return backtest_tune.tune_backtest(config, walk.Span(), sets, 0.5, now)
    finally:
        backtest_tune.problem = original


def result(schedule: cost.ScheduleCost | None, oracle: cost.ScheduleCost, note: str = "") -> Result:
    if schedule is None:
        return Result(None, None, note or "nothing tuned")
    ratio = cost.regret(schedule, oracle)
    if ratio is None and oracle.cost == 0:  # the product's regret: J > 0 over 0 is no ratio
        note = ", ".join(n for n in (note, "Oracle J 0") if n)
    return Result(ratio, len(schedule.retrains), note)


def cell(
    root: Path, name: str, matrix: NDArray[np.float64], alpha: float, sbar: float, trained: bool
) -> Cell:
    price = f"{{retrain: {alpha * sbar:.6g}, staleness: 1}}"
    default = tune(root, matrix, [f"backtest.cost={price}"], trained).outcome
    costly = tune(
        root,
        matrix,
        [
            f"backtest.cost={price}",
            "policy.mode=cost",
            f"policy.cost={price}",
            "signals.volume={min_new_rows: 1}",  # mode cost reads rows from it; it decides nothing
        ],
        trained,
    ).outcome
    oracle = default.oracle
    chosen = costly.search.chosen
    multiplier = f"C×{chosen.setting[0] / (alpha * sbar):.2g}" if chosen and sbar else ""
    fixed = default.fixed
    scored = default.scored_on
    return Cell(
        name,
        alpha,
        {
            "default": result(default.tuned, oracle),
            "cost": result(costly.tuned, costly.oracle, multiplier),
            "fixed": result(
                fixed.scored if fixed else None, oracle, f"k={fixed.k}" if fixed else ""
            ),
            "every": result(cost.every_period(scored), oracle),
            "never": result(cost.never(scored), oracle),
        },
    )


def run_stream(name: str, args: argparse.Namespace, work: Path) -> tuple[list[Cell], str]:
    started = time.perf_counter()
    stream = cost_streams.build(name, args.periods, args.train_rows, args.valid_rows)
    root = work / name
    history(root, stream, args)
    matrix, source = matrix_of(stream, root, args.matrix)
    sbar = mean_never_staleness(stream, matrix)
    print(f"  {name}: history and matrix in {time.perf_counter() - started:.0f} s", flush=True)
    trained = source.startswith("product")
    cells = [cell(root, name, matrix, alpha, sbar, trained) for alpha in args.alphas]
    took = time.perf_counter() - started
    print(
        f"  {name}: {stream.drift}, {stream.metric}; s̄ = {sbar:.4g}; matrix: {source}; {took:.0f} s"
    )
    return cells, source


def shown(found: Result) -> str:
    ratio = "unknown" if found.ratio is None else f"{found.ratio:.2f}"
    count = "?" if found.retrains is None else str(found.retrains)
    return f"{ratio} ({count}{', ' + found.note if found.note else ''})"


def table(cells: Sequence[Cell]) -> list[str]:
    lines = [
        "| stream | α | default policy | cost policy | tuned fixed period | every period | never |",
        "|---|---|---|---|---|---|---|",
    ]
    for found in cells:
        row = " | ".join(shown(found.results[c]) for c in COLUMNS)
        lines.append(f"| {found.stream} | {found.alpha:g} | {row} |")
    return lines


def goal(cells: Sequence[Cell]) -> list[str]:
    ratios = [c.results["cost"].ratio for c in cells]
    known = [r for r in ratios if r is not None]
    pairs = [
        (c.results["cost"].ratio, c.results["fixed"].ratio)
        for c in cells
        if c.results["cost"].ratio is not None and c.results["fixed"].ratio is not None
    ]
    if not known:
        return ["goal: unknown (no cell has a known cost-policy ratio)"]
    median = statistics.median(known)
    share = sum(1 for a, b in pairs if a <= b + 1e-9) / len(pairs) if pairs else 0.0
    met = median <= 1.10 and share >= 0.75 and len(known) == len(cells)
    return [
        f"cost policy: median J/J(Oracle) {median:.2f} over {len(known)} of {len(cells)} cells "
        f"(goal ≤ 1.10); ≤ the tuned fixed period in {share:.0%} of {len(pairs)} cells "
        f"(goal ≥ 75 %): goal {'met' if met else 'NOT met'}"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", default=",".join(cost_streams.STREAMS))
    parser.add_argument("--periods", type=int, default=50)
    parser.add_argument("--train-rows", type=int, default=300, help="river streams, per period")
    parser.add_argument("--valid-rows", type=int, default=300, help="river streams, per period")
    parser.add_argument("--alphas", default=",".join(f"{a:g}" for a in ALPHAS))
    parser.add_argument("--matrix", choices=("auto", "product", "crosscheck"), default="auto")
    parser.add_argument(
        "--matrices",
        "--keep",
        type=Path,
        help="keep the histories, trained models and cross-check matrices here, and reuse them "
        "on a rerun (default: a temp dir)",
    )
    args = parser.parse_args()
    args.alphas = [float(a) for a in args.alphas.split(",")]
    names = [s.strip() for s in args.streams.split(",") if s.strip()]
    unknown = [n for n in names if n not in cost_streams.STREAMS]
    if unknown or args.periods < 4:
        print(
            f"--streams: one of {', '.join(cost_streams.STREAMS)}; --periods ≥ 4", file=sys.stderr
        )
        return 2
    with tempfile.TemporaryDirectory() as temporary:
        work = args.matrices or Path(temporary)
        cells, sources = [], set()
        for name in names:
            found, source = run_stream(name, args, work)
            print("\n".join(table(found)[2:]), flush=True)  # as it goes: a long run shows rows
            cells.extend(found)
            sources.add(source)
    print(
        f"\nmatrix: {', '.join(sorted(sources))}; {args.periods} periods, tuned on the first half,"
    )
    print("scored on the rest; J/J(Oracle) of the scored half (retrains); measured under load\n")
    print("\n".join(table(cells)))
    print()
    print("\n".join(goal(cells)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
