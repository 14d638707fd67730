"""C learned from past retrains (``policy.mode: cost`` without ``policy.cost.retrain``).

Like Modyn's cost trigger, a retrain's compute seconds are regressed on the rows it trained on
(ordinary least squares, ``seconds = a + b × rows``) and the line is read at the rows of the
data now. One past retrain: its duration. Several, but too few rows known to fit a line (or
all on the same rows): their mean. None: unknown, and the cost policy does not fire. Pure.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from retrigger.signals.cost import RetrainCost


@dataclass(frozen=True)
class PastRetrain:
    seconds: float  # the repro step of a retrain that trained
    rows: float | None  # the rows of the data it trained on; None: not countable


def learned(past: Sequence[PastRetrain], rows_now: float | None) -> RetrainCost | None:
    """None when no past retrain's duration is recorded."""
    if not past:
        return None
    seconds = [p.seconds for p in past]
    if len(past) == 1:
        return RetrainCost(seconds[0], "the one past retrain's measured duration (seconds)")
    known = [(p.rows, p.seconds) for p in past if p.rows is not None]
    if rows_now is None or len(known) < 2 or len({r for r, _ in known}) < 2:
        return RetrainCost(
            statistics.fmean(seconds),
            f"the mean measured duration of {len(past)} past retrains (seconds)",
        )
    slope, intercept = statistics.linear_regression(
        [float(r) for r, _ in known], [s for _, s in known]
    )
    value = max(0.0, intercept + slope * rows_now)
    return RetrainCost(
        value,
        f"a least-squares fit of seconds on rows over {len(known)} past retrains, "
        f"at {rows_now:g} rows ({intercept:.3g} s + {slope:.3g} s/row)",
    )
