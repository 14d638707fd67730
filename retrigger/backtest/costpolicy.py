"""The cost policy (``policy.mode: cost``) replayed over an evaluation matrix.

The replay of the signals cannot run it: after a replayed retrain, the metric a commit recorded
belongs to the model that really ran then. The matrix says what the replayed model scored: at
period ``j``, with model ``i`` in use, a check adds, as the live policy does
(``signals.cost``)::

    rows_j × policy.cost.staleness × max(0, fresh − M[i][j])

``fresh`` being the fresh model's expected level as the live check reads it from past runs
(``signals.cost.expected``): the mean of ``M[r][r]`` over the last ``RECENT`` models the replay
trained (``r`` ≤ ``i``: the window's first and the replay's own retrains, never a later one, nor
a period the replay did not retrain at, whose fresh level nobody would have measured). An
unknown cell adds nothing and does not fire, as an unknown reading never does. The verdict is
``decide``'s, so cooldown, budget and identical inputs hold as live.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from retrigger.backtest.adapter import apply_policy
from retrigger.backtest.cost import CostProblem
from retrigger.config.models import PolicyConfig
from retrigger.decision import Reading
from retrigger.errors import BadInput
from retrigger.signals.cost import expected


@dataclass(frozen=True)
class Period:
    """When a period's check ran, and on which data version."""

    time: datetime
    data_version: str | None


def fires(problem: CostProblem, periods: Sequence[Period], policy: PolicyConfig) -> list[int]:
    """The absolute periods the cost policy retrains at; period 0 of the window is trained."""
    prices = policy.cost
    if prices is None:
        raise BadInput("policy.mode: cost needs policy.cost: {retrain: C, staleness: PER_ROW}")
    if len(periods) != problem.periods:
        raise BadInput(f"cost policy: {len(periods)} periods for a {problem.periods}-period matrix")
    # policy.cost.retrain unset: live, C is the measured duration of past retrains; here, the
    # problem's C (backtest.cost.retrain, or with --train the measured training duration).
    retrain = prices.retrain if prices.retrain is not None else problem.retrain_cost
    so_far = 0.0
    times: list[datetime] = []
    trained = [0]  # the window's periods trained at, oldest first: the last is in use
    for j in range(1, problem.periods):
        added = increment(problem, trained, j, prices.staleness)
        if added is None:
            reading = Reading("cost", None, retrain, False, "cell unknown", unknown=True)
        else:
            so_far += added
            reading = Reading("cost", so_far, retrain, so_far >= retrain, "")
        verdict = apply_policy(
            [reading],
            times,
            periods[trained[-1]].data_version,
            policy,
            periods[j].data_version,
            periods[j].time,
        )
        if verdict.fire:
            times.append(periods[j].time)
            so_far = 0.0
            trained.append(j)
    return [problem.start + j for j in trained[1:]]


def increment(problem: CostProblem, trained: Sequence[int], j: int, price: float) -> float | None:
    """What the check at ``j`` adds with the model trained at ``trained[-1]`` in use, the
    earlier ``trained`` giving the expected fresh level (window indices); None: unknown."""
    fresh = expected([float(problem.matrix[t, t]) for t in trained])
    now, rows = float(problem.matrix[trained[-1], j]), problem.rows[j]
    if fresh is None or math.isnan(now) or math.isnan(rows):
        return None
    lost = fresh - now if problem.greater_is_better else now - fresh
    return rows * price * max(0.0, lost)
