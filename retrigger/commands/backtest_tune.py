"""``retrigger backtest --tune``: the policy's thresholds that would have cost least.

The history's periods (the replayed points) are cut in two: the search (``backtest.tune``)
replays the policy with each candidate on the first part only, and the candidate with the
least known ``J`` (``backtest.cost``'s prices) is then replayed and priced on the rest only,
beside the configured thresholds, the Oracle and the fixed period tuned on the same first part.
Each part is replayed as it is priced: its first period freshly trained. Read-only, like every
backtest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from retrigger.backtest import cost, costpolicy, pricing, tune, walk, whatif
from retrigger.backtest.datareads import DataReader
from retrigger.backtest.inputs import Point
from retrigger.backtest.replay import PointResult, Trained, replay
from retrigger.backtest.runs import PastRuns
from retrigger.backtest.tuned import Tuned
from retrigger.commands import backtest_train
from retrigger.commands.backtest import _past, _prices, _replay
from retrigger.config import LoadedConfig, load_config
from retrigger.config.models import BacktestCostConfig
from retrigger.errors import BadInput
from retrigger.workspace import utc_now

__all__ = ["Tuned", "tune_backtest"]


def tune_backtest(
    config_path: Path | None,
    span: walk.Span,
    sets: Sequence[str] = (),
    split: float = 0.5,
    now: datetime | None = None,
    train: bool = False,
    say: Callable[[str], None] = lambda _line: None,
) -> Tuned:
    """With ``train``, the matrix is ``--train``'s (every replayed point trained in a scratch
    clone, C measured unless set); else what history recorded."""
    tune.check_share(split)  # before the replay, not after it
    overrides = whatif.parse_sets(sets)
    loaded = load_config(config_path, overrides=overrides)
    prices = _prices(loaded, train)
    now = now or utc_now()
    commits = walk.commits(loaded.root, span, walk.watched_paths(loaded.config), now)
    if not commits:
        raise BadInput(
            "no commit in the range asked changed a data: path or the metrics file; "
            "widen --since / --from, or check `data:` in retrigger.yaml"
        )
    past = _past(loaded, loaded)
    with DataReader(loaded.root) as reader:
        results = _replay(loaded, commits, past, reader, now).results
        first = tune.split_at(len(results), split)
        if train:
            trained = backtest_train.train(loaded, results, None, say)
            whole = backtest_train.trained_problem(loaded, results, trained, prices)
        else:
            whole = problem(loaded, results, past, prices)
        points = tuple(r.point for r in results)
        knobs = tune.knobs(loaded.config)
        candidates = _Candidates(config_path, overrides, knobs, points, past, reader, now)
        outcome = tune.tune_and_score(whole, first, knobs, candidates.fires)
    return Tuned(tuple(p.commit.sha for p in points), outcome, loaded.config.policy.mode)


def problem(
    loaded: LoadedConfig,
    results: Sequence[PointResult],
    past: PastRuns,
    prices: BacktestCostConfig,
) -> cost.CostProblem:
    """The evaluation matrix of the whole history, priced as ``--cost`` prices it (the one
    place a matrix filled another way, e.g. by training, would come in)."""
    model = loaded.config.model
    assert prices.retrain is not None  # _prices refuses a config without it (no --train here)
    return cost.CostProblem(
        pricing.evaluation_matrix(results, past, model.metric),
        model.greater_is_better,
        prices.retrain,
        pricing.period_rows(loaded.root, results),
        prices.staleness,
    )


class _Candidates:
    """Replays the policy with a candidate's thresholds on one part, and prices it there."""

    def __init__(
        self,
        config_path: Path | None,
        overrides: whatif.Overrides,
        knobs: Sequence[tune.Knob],
        points: Sequence[Point],
        past: PastRuns,
        reader: DataReader,
        now: datetime,
    ) -> None:
        self._path, self._overrides, self._points = config_path, overrides, tuple(points)
        self._past, self._reader, self._now = past, reader, now
        self._knobs = tuple(knobs)

    def fires(self, window: cost.CostProblem, setting: tune.Setting) -> list[int]:
        """The absolute periods where the policy with ``setting`` retrains, replayed on the
        window's points only (from its first, freshly trained)."""
        changed = {
            knob.key: (f"--tune {knob.key}", knob.config_value(value))
            for knob, value in zip(self._knobs, setting, strict=True)
        }
        config = load_config(self._path, overrides={**self._overrides, **changed}).config
        stop = window.start + window.periods
        points = self._points[window.start : stop]
        if config.policy.mode == "cost":
            periods = [costpolicy.Period(p.commit.time, p.data_version) for p in points]
            return costpolicy.fires(window, periods, config.policy)
        end = self._points[stop].commit.time if stop < len(self._points) else self._now
        found = replay(config, points, self._past, self._reader, end, _fresh(points[0]))
        return [window.start + n for n, r in enumerate(found) if r.verdict.fire]


def _fresh(point: Point) -> Trained:
    """A part starts freshly trained on its first point's data, as ``cost.window`` prices it."""
    return Trained(
        point.md5s,
        point.data_version,
        point.commit.time,
        f"the first period of the part ({point.commit.sha[:8]}), taken as freshly trained",
    )
