"""``backtest --tune``: the thresholds that would have cost least, chosen on the first part of
the history and scored on the rest only.

Pure: the knobs a config enables, the split, the search and the config diff. How a candidate
fires is given as a function (the replay, or the cost policy over the matrix), so the search
knows only schedules and their ``J`` (``cost.schedule_cost``). A candidate whose ``J`` on the
tuning periods needs an unknown cell of the matrix is never chosen: its cost is unknown, not 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

import numpy as np

from retrigger.backtest import cost
from retrigger.config.durations import format_duration
from retrigger.config.models import RetriggerConfig
from retrigger.errors import BadInput

# Each enabled threshold is tried at these multiples of its configured value; the cost
# policy's retrain cost over a wider range, since C is a price, not a measured level: ×0.1 to
# ×10, log-spaced (10^(k/5), two digits). On the benchmark the old ×0.25-×4 choice sat at its
# ends in 11 of 25 cells (docs/backtest-cost.md).
FACTORS = (1.0, 0.75, 1.5, 0.5, 2.0)  # configured first: a tie keeps it
COST_FACTORS = (1.0, 0.1, 0.16, 0.25, 0.4, 0.63, 1.6, 2.5, 4.0, 6.3, 10.0)
PASSES = 2  # coordinate descent: each knob in turn, twice over


Kind = Literal["number", "count", "duration"]  # a count is an integer >= 1


@dataclass(frozen=True)
class Knob:
    """One threshold the search moves: its dotted config key and the values it tries."""

    key: str
    configured: float  # durations in seconds
    values: tuple[float, ...]  # the configured value first
    kind: Kind

    def text(self, value: float) -> str:
        """As it would be written in retrigger.yaml."""
        if self.kind == "duration":
            return format_duration(timedelta(seconds=value))
        if self.kind == "count":
            return str(int(value))
        return f"{value:.6g}"  # 38000, not 3.8e+04: a value to paste into the file

    def config_value(self, value: float) -> object:
        """As a ``--set`` value: what ``load_config`` validates."""
        if self.kind == "count":
            return int(value)
        return self.text(value) if self.kind == "duration" else float(self.text(value))


Setting = tuple[float, ...]  # one value per knob, in the knobs' order


def knobs(config: RetriggerConfig) -> list[Knob]:
    """The thresholds the config enables; with ``policy.mode: cost`` only the retrain cost
    (the other signals do not decide in that mode)."""
    if config.policy.mode == "cost" and config.policy.cost is not None:
        retrain = config.policy.cost.retrain
        # Without it, C is learned from past retrains' durations: no number to scale.
        return (
            []
            if retrain is None
            else [knob("policy.cost.retrain", retrain, "number", COST_FACTORS)]
        )
    found: list[Knob] = []
    signals = config.signals
    if signals.performance is not None:
        perf = signals.performance
        if perf.max_drop is not None:
            found.append(knob("signals.performance.max_drop", perf.max_drop, "number"))
        if perf.min is not None:
            # A floor is a level: multiples of 0.8 from 0.4 to 1.6 would be absurd for accuracy.
            floor = tuple(perf.min * f for f in (1.0, 0.98, 1.02, 0.95, 1.05))
            found.append(Knob("signals.performance.min", perf.min, _unique(floor), "number"))
    if signals.drift is not None:
        found.append(knob("signals.drift.share", signals.drift.share, "number"))
    if signals.schedule is not None:
        age = signals.schedule.max_age.total_seconds()
        found.append(knob("signals.schedule.max_age", age, "duration"))
    if signals.volume is not None and signals.volume.min_new_rows is not None:
        found.append(knob("signals.volume.min_new_rows", signals.volume.min_new_rows, "count"))
    if signals.volume is not None and signals.volume.min_growth is not None:
        found.append(knob("signals.volume.min_growth", signals.volume.min_growth, "number"))
    return found


def knob(key: str, value: float, kind: Kind, factors: Sequence[float] = FACTORS) -> Knob:
    """``key`` at ``factors`` (the first 1.0) times ``value``, kept where the config accepts."""
    values = [value * f for f in factors]
    if kind == "count":
        values = [float(max(1, round(v))) for v in values]
    if kind == "duration":  # whole hours: a threshold nobody would write as 540.5h
        values = [max(3600.0, round(v / 3600) * 3600) if v >= 3600 else v for v in values]
    if key in ("signals.performance.max_drop", "signals.drift.share"):
        upper = 0.99 if key.endswith("max_drop") else 1.0  # max_drop < 1, share <= 1
        values = [min(v, upper) for v in values]
    return Knob(key, value, _unique([value, *values[1:]]), kind)  # the configured one as is


def _unique(values: Sequence[float]) -> tuple[float, ...]:
    return tuple(dict.fromkeys(values))


def check_share(share: float) -> None:
    if not 0 < share < 1:
        raise BadInput(f"--tune-split {share:g}: give the share of periods to tune on, in (0, 1)")


def split_at(periods: int, share: float) -> int:
    """The first scored period: periods ``0..s-1`` tune, ``s..T-1`` score, each at least two."""
    check_share(share)
    if periods < 4:
        raise BadInput(
            f"--tune needs at least 4 periods (2 to tune on, 2 to score on); "
            f"the history replayed has {periods}"
        )
    return min(max(2, round(periods * share)), periods - 2)


@dataclass(frozen=True)
class Tried:
    setting: Setting
    cost: float | None  # J on the tuning periods; None: it needs an unknown cell
    retrains: tuple[int, ...]


@dataclass(frozen=True)
class Search:
    knobs: tuple[Knob, ...]
    tried: tuple[Tried, ...] = field(default=())
    chosen: Tried | None = None  # None: no candidate had a known J

    @property
    def unknown(self) -> int:
        return sum(1 for t in self.tried if t.cost is None)

    @property
    def configured(self) -> Setting:
        return tuple(k.configured for k in self.knobs)


Evaluate = Callable[[Setting], tuple[float | None, tuple[int, ...]]]


def search(found: Sequence[Knob], evaluate: Evaluate) -> Search:
    """Coordinate descent from the configured values: each knob in turn tries its values with
    the others held, keeping the least known ``J`` (a tie keeps the value held, so the configured
    one when nothing is cheaper); twice over, or until nothing moves."""
    memo: dict[Setting, Tried] = {}

    def tried(setting: Setting) -> Tried:
        if setting not in memo:
            memo[setting] = Tried(setting, *evaluate(setting))
        return memo[setting]

    current = tried(tuple(k.configured for k in found))
    for _ in range(PASSES):
        moved = False
        for index, knob in enumerate(found):
            for value in knob.values:
                setting = (*current.setting[:index], value, *current.setting[index + 1 :])
                candidate = tried(setting)
                if _cheaper(candidate, current):
                    current, moved = candidate, True
        if not moved:
            break
    chosen = current if current.cost is not None else None
    return Search(tuple(found), tuple(memo.values()), chosen)


def _cheaper(candidate: Tried, current: Tried) -> bool:
    if candidate.cost is None:
        return False
    return current.cost is None or candidate.cost < current.cost - 1e-9 * abs(current.cost)


def diff_lines(found: Sequence[Knob], setting: Setting) -> list[str]:
    """The YAML a user would change, as a diff: ``-`` the configured line, ``+`` the tuned."""
    lines: list[str] = []
    opened: list[str] = []
    for knob, value in zip(found, setting, strict=True):
        if knob.text(value) == knob.text(knob.configured):
            continue
        *parents, leaf = knob.key.split(".")
        depth = 0
        while depth < min(len(opened), len(parents)) and opened[depth] == parents[depth]:
            depth += 1
        for level in range(depth, len(parents)):
            lines.append(f" {'  ' * level}{parents[level]}:")
        opened = parents
        pad = "  " * len(parents)
        lines.append(f"-{pad}{leaf}: {knob.text(knob.configured)}")
        lines.append(f"+{pad}{leaf}: {knob.text(value)}")
    return lines


Fires = Callable[[cost.CostProblem, Setting], list[int]]  # a window, a setting → retrains


@dataclass(frozen=True)
class Outcome:
    search: Search
    tuned_on: cost.CostProblem  # the window the search saw
    scored_on: cost.CostProblem  # the window every schedule is scored on, and it only
    tuned: cost.ScheduleCost | None  # the chosen setting, scored; None: nothing chosen
    configured: cost.ScheduleCost  # the configured thresholds, scored
    fixed: cost.FixedPeriod | None  # every k periods, k tuned on the same window

    @property
    def oracle(self) -> cost.ScheduleCost:
        return cost.oracle(self.scored_on)


def tune_and_score(
    whole: cost.CostProblem, first: int, found: Sequence[Knob], fires: Fires
) -> Outcome:
    """Search on periods ``0..first-1``, score on ``first..T-1``: each sees its window only."""
    tuned_on, scored_on = whole.window(0, first), whole.window(first, whole.periods)

    def evaluate(setting: Setting) -> tuple[float | None, tuple[int, ...]]:
        priced = cost.schedule_cost(tuned_on, fires(tuned_on, setting), "candidate")
        return priced.cost, priced.retrains

    searched = search(found, evaluate)
    chosen = searched.chosen
    return Outcome(
        searched,
        tuned_on,
        scored_on,
        cost.schedule_cost(scored_on, fires(scored_on, chosen.setting), "tuned")
        if chosen
        else None,
        cost.schedule_cost(scored_on, fires(scored_on, searched.configured), "configured"),
        cost.best_fixed_period(whole, first),
    )


def unknown_cells(window: cost.CostProblem) -> tuple[int, int]:
    """Unknown cells of a window's upper triangle, and all of them."""
    upper = window.matrix[np.triu_indices(window.periods)]
    return int(np.count_nonzero(np.isnan(upper))), int(upper.size)
