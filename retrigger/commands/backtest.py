"""``retrigger backtest``: replay the trigger policy over the project's history, and what-ifs.

Read-only: no decision is stored, nothing retrains, the work tree and the state store are not
opened for writing (the state store is only read, for the estimates checks stored); data comes
from the DVC cache, fetched from the remote when missing, and MLflow is only searched.
``--train`` trains in scratch clones and writes only under ``.retrigger/backtest/``
(``commands.backtest_train``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from retrigger.backtest import inputs, runs, walk, whatif
from retrigger.backtest.datareads import DataReader
from retrigger.backtest.estimates import EstimatorError, stored_estimates
from retrigger.backtest.false_alarms import FalseAlarms
from retrigger.backtest.matrix import TrainedMatrix
from retrigger.backtest.posting import (
    Posted,
    SlackPostFailed,
    counts_in_words,
    post,
    replayed_range,
    require_token,
)
from retrigger.backtest.pricing import Priced
from retrigger.backtest.replay import Replay, replay, starting_point
from retrigger.backtest.report import document, limits
from retrigger.backtest.walk import Span
from retrigger.commands import backtest_train
from retrigger.config import LoadedConfig, load_config
from retrigger.config.durations import parse_duration
from retrigger.config.models import BacktestCostConfig
from retrigger.config.secrets import Secrets
from retrigger.errors import BadInput
from retrigger.units import format as fmt
from retrigger.workspace import Workspace, utc_now

__all__ = [
    "BacktestResult",
    "Posted",
    "SlackPostFailed",
    "Span",
    "backtest",
    "parse_every",
    "parse_since",
    "post_to_slack",
    "slack_message",
    "slack_token",
    "write_outputs",
]


@dataclass(frozen=True)
class BacktestResult:
    replay: Replay  # under the changed config when --set was given
    configured: Replay | None = None  # with --compare: the replay under the file's config
    sets: dict[str, object] = field(default_factory=dict)
    differences: list[whatif.Difference] = field(default_factory=list)
    priced: Priced | None = None  # with --cost: the replayed schedule priced
    changes: list[whatif.Change] = field(default_factory=list)  # named on the pages
    # With the drift signal configured: its false alarms on the trained version resampled
    # against itself, or why they could not be measured.
    false_alarms: FalseAlarms | str | None = None
    trained: TrainedMatrix | None = None  # with --train: the evaluation matrix, trained
    # The label-free estimates the checks stored, beside the realised metric of their rows
    # (None: the project neither estimates nor stored an estimate).
    estimator: EstimatorError | None = None

    def as_json(self) -> dict[str, object]:
        body = self._body()
        if self.false_alarms is not None:
            body = {**body, "drift_false_alarms": _false_alarms_json(self.false_alarms)}
        if self.trained is not None:
            body = {**body, "train": self.trained.as_json()}
        if self.estimator is not None:
            body = {**body, "estimator_error": self.estimator.as_json()}
        return {"cost": self.priced.as_json(), **body} if self.priced is not None else body

    def _body(self) -> dict[str, object]:
        if self.configured is None:
            body = document(self.replay)
            return {**body, "set": self.sets} if self.sets else body
        return {
            "configured": document(self.configured),
            "what_if": document(self.replay),
            "set": self.sets,
            "differences": [d.as_json() for d in self.differences],
        }

    def limits(self) -> list[str]:
        return limits(self.replay)


def parse_since(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise BadInput(f"--since {text!r}: {exc}") from None


def write_outputs(result: BacktestResult, html: Path | None, png: Path | None) -> None:
    """The page and the image (matplotlib charts, one per configured signal): matplotlib is
    imported only when one of them is asked."""
    if html is not None:
        from retrigger.backtest.html import write_html

        write_html(
            result.replay, html, result.configured, result.changes, result.priced, result.estimator
        )
    if png is not None:
        from retrigger.backtest.png import write_png

        write_png(result.replay, png, result.configured, result.changes)


def slack_token() -> str:
    """``--slack``'s token (the notifier's ``SLACK_BOT_TOKEN``); BadInput without one."""
    return require_token(Secrets.from_env())


def post_to_slack(
    result: BacktestResult, token: str, html: Path | None, png: Path | None
) -> Posted:
    """The summary in ``slack.channel`` and the report in its thread; without ``--html`` the
    page is written to a temporary file for the upload only. Raises ``SlackPostFailed``."""
    slack = result.replay.config.slack
    text = slack_message(result)
    extra = [png] if png is not None else []
    if html is not None:
        return post(slack, token, text, [html, *extra])
    with tempfile.TemporaryDirectory(prefix="retrigger-backtest-") as folder:
        page = Path(folder) / "backtest.html"
        write_outputs(result, page, None)
        return post(slack, token, text, [page, *extra])


def slack_message(result: BacktestResult) -> str:
    """What was replayed, the verdicts in words, the what-if and its differences if any."""
    lines = [replayed_range(result.replay)]
    sets = ", ".join(f"`{key}={value}`" for key, value in result.sets.items())
    if result.configured is not None:
        lines.append(f"Configured policy: {counts_in_words(result.configured)}.")
    if sets:
        lines.append(f"What-if {sets}: {counts_in_words(result.replay)}.")
    else:
        lines.append(f"Configured policy: {counts_in_words(result.replay)}.")
    if result.configured is not None:
        lines.extend(
            f"• differs at `{d.commit[:8]}` ({fmt.timestamp(d.time)}): {d.configured} → {d.what_if}"
            for d in result.differences
        )
        if not result.differences:
            lines.append("The two policies agree at every commit.")
    if result.priced is not None:
        lines.append(f"Cost: {result.priced.regret_line()}")
    if result.estimator is not None:  # its summary line; every estimate is on the page
        lines.append(f"Label-free {result.estimator.words()[-1]}")
    return "\n".join(lines)


def backtest(
    config_path: Path | None,
    span: Span,
    sets: Sequence[str] = (),
    compare: bool = False,
    now: datetime | None = None,
    priced: bool = False,
    every: timedelta | None = None,
    train: bool = False,
    say: Callable[[str], None] = lambda _: None,
) -> BacktestResult:
    overrides = whatif.parse_sets(sets)
    loaded = load_config(config_path)
    changed = whatif.changed_config(config_path, overrides) if overrides else loaded
    if compare and not overrides:
        raise BadInput("--compare needs at least one --set KEY=VALUE to compare with")
    prices = _prices(changed, train) if priced else None
    now = now or utc_now()
    root = loaded.root
    paths = sorted(set(walk.watched_paths(loaded.config) + walk.watched_paths(changed.config)))
    commits = walk.commits(root, span, paths, now)
    if not commits:
        raise BadInput(
            "no commit in the range asked changed a data: path or the metrics file; "
            "widen --since / --from, or check `data:` in retrigger.yaml"
        )
    past = _past(loaded, changed)
    sides = [changed] if not compare else [loaded, changed]
    with DataReader(root) as reader:
        replays = [_replay(side, commits, past, reader, now) for side in sides]
    results = replays[-1].results
    trained = backtest_train.train(changed, results, every, say) if train else None
    costs = backtest_train.priced(changed, results, past, prices, trained, every)
    return BacktestResult(
        replay=replays[-1],
        configured=replays[0] if compare else None,
        sets={key: value for key, (_, value) in overrides.items()},
        differences=whatif.differences(replays[0], replays[-1]) if compare else [],
        priced=costs,
        changes=whatif.changes(loaded, overrides),
        false_alarms=_false_alarms(root, replays[-1], every),
        trained=trained,
        estimator=stored_estimates(changed, results),
    )


def _false_alarms(
    root: Path, replayed: Replay, every: timedelta | None
) -> FalseAlarms | str | None:
    """The drift signal's false alarms at this cadence (None: drift is not configured)."""
    from retrigger.backtest import false_alarms, resampled

    settings = replayed.config.signals.drift
    if settings is None:
        return None
    if replayed.start is None:
        return "no point of the history to take the trained version from"
    drift = [r for p in replayed.results for r in p.readings if r.kind == "drift"]
    share = false_alarms.typical_share(
        [(r.extra.get("reference_rows"), r.extra.get("current_rows")) for r in drift]
    )
    cadence = false_alarms.cadence([p.point.commit.time for p in replayed.results], every)
    start = replayed.start
    version = f"the data the replay starts from ({start.what})"
    return resampled.measure(root, settings, start.md5s, version, share, cadence)


def _false_alarms_json(found: FalseAlarms | str) -> dict[str, object]:
    return {"unknown": found} if isinstance(found, str) else found.as_json()


def parse_every(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        every = parse_duration(text)
    except ValueError as exc:
        raise BadInput(f"--every {text!r}: {exc}") from None
    if every <= timedelta(0):
        raise BadInput(f"--every {text!r}: give a positive interval between checks (7d, 12h)")
    return every


def _prices(loaded: LoadedConfig, train: bool = False) -> BacktestCostConfig:
    found = loaded.config.backtest.cost
    if found is None:
        raise BadInput(
            "--cost needs `backtest: {cost: {retrain: C, staleness: PER_ROW}}` in retrigger.yaml"
        )
    if found.retrain is None and not train:
        raise BadInput(
            "backtest.cost.retrain is not set; set it (or, with --cost, add --train to use "
            "the measured duration of the training stages)"
        )
    return found


def _replay(
    loaded: LoadedConfig,
    commits: list[walk.Commit],
    past: runs.PastRuns,
    reader: DataReader,
    now: datetime,
) -> Replay:
    config = loaded.config
    points = [inputs.read_point(loaded.root, config, c, past) for c in commits]
    points = [p for p in points if p.outs or p.metric is not None]
    notes = []
    if points:
        start = starting_point(points[0], past)
        wanted = [(p, m) for point in points for p, m in point.md5s.items()]
        failed = inputs.fetch_missing(loaded.root, [*wanted, *start.md5s.items()])
        if failed:
            notes.append(f"some data versions stayed unknown: {failed}")
    results = replay(config, points, past, reader, now)
    start_time = points[0].commit.time if points else now
    return Replay(
        config,
        results,
        results[0].trained if results else None,
        past.real_retrains(start_time, now),
        notes,
    )


def _past(loaded: LoadedConfig, changed: LoadedConfig) -> runs.PastRuns:
    """MLflow's past runs; an SQLite store that does not exist yet is an empty past (asking
    MLflow would create the file, and a backtest writes nothing)."""
    config = changed.config
    uri = config.tracking.uri
    if uri.startswith("sqlite:///"):
        from retrigger.lineage.tracking import absolute_uri

        file = Path(absolute_uri(uri, loaded.root)[len("sqlite:///") :])
        if not file.is_file():
            return runs.PastRuns((), (), ())
    tracking = Workspace(changed).tracking
    return runs.load(tracking, config.model.metric, need_metric_runs=not config.model.metrics_file)
