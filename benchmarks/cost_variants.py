"""Variants of the cost policy's rule on the matrices ``retrain_cost.py --matrices DIR`` kept.

What ``docs/backtest-cost.md`` reports beside the product's own table: each variant replayed
over the same 25 cells (5 streams × α), C tuned on periods 1-25 by the product's search
(``backtest.tune``), scored on 26-50 against the Oracle (``backtest.cost``); printed as the
median ``J / J(Oracle)`` and the share of cells at or below the tuned fixed period. The rule
itself is re-implemented here (a variant is not the product's): only ``expected`` with the
R10 grid is what ``policy.mode: cost`` does, and ``retrain_cost.py`` measures that one through
the product. Some variants are bounds no policy can reach: ``true gap`` knows the fresh model's
level at each period (only training it tells), ``hindsight`` picks C on the scored half.

    .venv/bin/python benchmarks/retrain_cost.py --matrices /tmp/cost      # once: the matrices
    .venv/bin/python benchmarks/cost_variants.py --matrices /tmp/cost
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import cost_streams  # noqa: E402
from retrigger.backtest import cost, tune  # noqa: E402

ALPHAS = (0.5, 1.0, 2.0, 5.0, 10.0)
OLD_GRID = (1.0, 0.5, 2.0, 0.25, 4.0)
Gap = Callable[["Stream", int, int, Sequence[int]], float]  # model, period, trained → gap


class Stream:
    def __init__(self, name: str, matrix: NDArray[np.float64], built: cost_streams.Stream):
        self.name, self.matrix, self.greater = name, matrix, built.greater_is_better
        self.valid = [float(len(v)) for _, v in built.periods]
        previous, rows = 0.0, []
        for train, valid in built.periods:  # what pricing.period_rows counts on the history
            rows.append(float(len(train)) + max(0.0, len(valid) - previous))
            previous = float(len(valid))
        self.rows = tuple(rows)
        never = cost.never(
            cost.CostProblem(
                matrix, self.greater, 0.0, tuple(float(len(t)) for t, _ in built.periods), 1.0
            )
        )
        self.sbar = never.staleness / max(1, len(rows) - 1)

    def lost(self, fresh: float, now: float) -> float:
        return fresh - now if self.greater else now - fresh

    def se(self, i: int, j: int) -> float:
        """Binomial SE of an accuracy on period j's rows; rmse / sqrt(2n) for the regression."""
        value, n = float(self.matrix[i, j]), self.valid[j]
        return (
            math.sqrt(max(0.0, value * (1 - value)) / n)
            if self.greater
            else value / math.sqrt(2 * n)
        )


def own(s: Stream, m: int, j: int, trained: Sequence[int]) -> float:
    return s.lost(float(s.matrix[m, m]), float(s.matrix[m, j]))


def expected(s: Stream, m: int, j: int, trained: Sequence[int]) -> float:
    levels = [float(s.matrix[t, t]) for t in trained[-5:]]
    return s.lost(sum(levels) / len(levels), float(s.matrix[m, j]))


def discounted(z: float) -> Gap:
    def gap(s: Stream, m: int, j: int, trained: Sequence[int]) -> float:
        last = trained[-5:]
        fresh_se = math.sqrt(sum(s.se(t, t) ** 2 for t in last)) / len(last)
        return expected(s, m, j, trained) - z * math.hypot(fresh_se, s.se(m, j))

    return gap


def true_gap(s: Stream, m: int, j: int, trained: Sequence[int]) -> float:
    return s.lost(float(s.matrix[j, j]), float(s.matrix[m, j]))


def fires(s: Stream, gap: Gap, window: cost.CostProblem, c: float, ahead: float) -> list[int]:
    start, trained, so_far, out = window.start, [0], 0.0, []
    for j in range(1, window.periods):
        rel = [start + t for t in trained]
        added = window.rows[j] * max(0.0, gap(s, rel[-1], start + j, rel))
        so_far += added
        if so_far + ahead * added >= c:
            out.append(start + j)
            trained.append(j)
            so_far = 0.0
    return out


def cell(
    s: Stream, alpha: float, gap: Gap, grid: Sequence[float], aheads: Sequence[float], hind: bool
) -> tuple[float, float]:
    c = alpha * s.sbar
    whole = cost.CostProblem(s.matrix, s.greater, c, s.rows, 1.0)
    knobs = [
        tune.knob("c", c, "number", grid),
        tune.Knob("ahead", aheads[0], tuple(aheads), "count"),
    ]

    def fired(window: cost.CostProblem, setting: tune.Setting) -> list[int]:
        return fires(s, gap, window, setting[0], setting[1])

    outcome = tune.tune_and_score(whole, 25, knobs, fired)
    assert outcome.fixed is not None and outcome.fixed.regret is not None
    scored = outcome.scored_on
    if hind:  # C picked on the scored half itself: a bound, not a policy
        best = min(
            (cost.schedule_cost(scored, fired(scored, (c * f, aheads[0])), "h") for f in grid),
            key=lambda x: x.cost or math.inf,
        )
    else:
        assert outcome.tuned is not None
        best = outcome.tuned
    ratio = cost.regret(best, outcome.oracle)
    assert ratio is not None
    return ratio, outcome.fixed.regret


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matrices", type=Path, required=True)
    args = parser.parse_args()
    streams = []
    for name in cost_streams.STREAMS:
        kept = args.matrices / f"{name}.crosscheck.npy"
        if not kept.exists():
            print(f"{kept}: run retrain_cost.py --matrices {args.matrices} first", file=sys.stderr)
            return 2
        built = cost_streams.build(name, 50, 300, 300)
        streams.append(Stream(name, np.load(kept), built))
    grid = tune.COST_FACTORS
    variants: list[tuple[str, Gap, Sequence[float], Sequence[float], bool]] = [
        ("own fresh level, C ×0.25-×4 (the rule before)", own, OLD_GRID, (0.0,), False),
        ("own fresh level, C ×0.1-×10", own, grid, (0.0,), False),
        ("expected fresh level, C ×0.25-×4", expected, OLD_GRID, (0.0,), False),
        ("expected fresh level, C ×0.1-×10 (the product's rule)", expected, grid, (0.0,), False),
        ("expected, C ×1 untuned", expected, (1.0,), (0.0,), False),
        *[(f"expected − {z:g} SE", discounted(z), grid, (0.0,), False) for z in (0.5, 1, 2)],
        ("expected, + h checks at this rate, h tuned", expected, grid, (0.0, 1.0, 2.0, 4.0), False),
        ("expected, + 1 check at this rate", expected, grid, (1.0,), False),
        ("expected, C in hindsight (bound)", expected, grid, (0.0,), True),
        ("true gap, C tuned (bound)", true_gap, grid, (0.0,), False),
        ("true gap, C in hindsight (bound)", true_gap, grid, (0.0,), True),
    ]
    print("| cost policy variant | median J/J(Oracle) | ≤ tuned fixed period |\n|---|---|---|")
    for label, gap, values, aheads, hind in variants:
        found = [cell(s, a, gap, values, aheads, hind) for s in streams for a in ALPHAS]
        median = statistics.median(r for r, _ in found)
        share = sum(1 for r, f in found if r <= f + 1e-9) / len(found)
        print(f"| {label} | {median:.2f} | {share:.0%} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
