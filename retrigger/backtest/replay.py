"""The replay: at each point, read what ``check`` would have read, decide with the clock at the
commit's time, and when the verdict fires move the trained version there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from retrigger.backtest import judges
from retrigger.backtest.adapter import apply_policy
from retrigger.backtest.datareads import DataReader
from retrigger.backtest.inputs import Point
from retrigger.backtest.runs import PastRuns, RealRetrain
from retrigger.config.models import RetriggerConfig
from retrigger.decision import Reading
from retrigger.lineage.trained import data_paths
from retrigger.policy import Verdict
from retrigger.signals.registry import SIGNALS

FIRE, HOLD, QUIET = "fire", "hold", "quiet"


@dataclass(frozen=True)
class Trained:
    """The data the model in use was trained on, in the replay, and since when."""

    md5s: dict[str, str]
    data_version: str | None
    since: datetime
    what: str


@dataclass(frozen=True)
class PointResult:
    point: Point
    readings: tuple[Reading, ...]
    verdict: Verdict
    trained: Trained  # what the point was measured against
    real_retrains: tuple[RealRetrain, ...] = ()  # really ran from this point to the next

    @property
    def outcome(self) -> str:
        return FIRE if self.verdict.fire else (HOLD if self.verdict.wanted else QUIET)

    @property
    def unknown(self) -> list[str]:
        return [r.kind for r in self.readings if r.value is None]


@dataclass(frozen=True)
class Replay:
    config: RetriggerConfig
    results: list[PointResult]
    start: Trained | None
    real: list[RealRetrain]
    notes: list[str] = field(default_factory=list)

    @property
    def retrains(self) -> int:
        return sum(1 for r in self.results if r.verdict.fire)

    @property
    def held(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            if result.outcome == HOLD:
                name = result.verdict.held_by or "unknown"
                counts[name] = counts.get(name, 0) + 1
        return counts

    @property
    def quiet(self) -> int:
        return sum(1 for r in self.results if r.outcome == QUIET)


def replay(
    config: RetriggerConfig,
    points: Sequence[Point],
    past: PastRuns,
    reader: DataReader,
    end: datetime,
    start: Trained | None = None,
) -> list[PointResult]:
    """``start``: the model in use at the first point (default: ``starting_point``)."""
    if not points:
        return []
    trained = start or starting_point(points[0], past)
    times: list[datetime] = []
    results = []
    drifts: list[Reading] = []  # the replayed drift readings, newest first (its persistence)
    for number, point in enumerate(points):
        readings = read_signals(config, point, trained, reader, past, drifts)
        drifts[:0] = [r for r in readings if r.kind == "drift"]
        verdict = apply_policy(
            readings,
            times,
            trained.data_version,
            config.policy,
            point.data_version,
            point.commit.time,
        )
        until = points[number + 1].commit.time if number + 1 < len(points) else end
        real = tuple(
            r
            for r in past.real_retrains(point.commit.time, until)
            if r.time < until or number + 1 == len(points)
        )
        results.append(PointResult(point, readings, verdict, trained, real))
        if verdict.fire:
            times.append(point.commit.time)
            trained = Trained(
                point.md5s,
                point.data_version,
                point.commit.time,
                f"replayed retrain at {point.commit.sha[:8]}",
            )
    return results


def starting_point(first: Point, past: PastRuns) -> Trained:
    """The model in use when the replay starts: the real one if MLflow knows its data, else the
    first point's data is taken as trained (said so in the output)."""
    found = past.reference_at(first.commit.time)
    if found is not None and data_paths(found[0]):
        run, what = found
        return Trained(
            data_paths(run), run.data_version, min(run.started_at, first.commit.time), what
        )
    return Trained(
        first.md5s,
        first.data_version,
        first.commit.time,
        f"first point {first.commit.sha[:8]} (no run recorded a data version before it)",
    )


def read_signals(
    config: RetriggerConfig,
    point: Point,
    trained: Trained,
    reader: DataReader,
    past: PastRuns,
    drifts: Sequence[Reading] = (),
) -> tuple[Reading, ...]:
    """Every configured signal, in the registry's order, as ``check`` reads them; ``drifts``:
    the earlier points' drift readings, newest first, which ``persist``/``sequential`` count
    as the live check counts the stored ones."""
    readings = []
    for kind in SIGNALS:
        if getattr(config.signals, kind, None) is not None:
            readings.append(_read(kind, config, point, trained, reader, past, drifts))
    return tuple(readings)


def _read(
    kind: str,
    config: RetriggerConfig,
    point: Point,
    trained: Trained,
    reader: DataReader,
    past: PastRuns,
    drifts: Sequence[Reading],
) -> Reading:
    signals, now = config.signals, point.commit.time
    if kind == "performance" and signals.performance is not None:
        base = past.baseline_at(now)
        metric = base.metrics.get(config.model.metric) if base is not None else None
        return judges.performance(
            point.metric, point.metric_source, signals.performance, config.model, metric
        )
    if kind == "schedule" and signals.schedule is not None:
        return judges.schedule(signals.schedule, trained.since, trained.what, now)
    if kind == "volume" and signals.volume is not None:
        return reader.volume(signals.volume, trained.md5s, trained.data_version, point)
    if kind == "drift" and signals.drift is not None:
        return reader.drift(signals.drift, trained.md5s, point, config.label_column(), drifts)
    return judges.unknown(kind, None, f"the {kind} signal cannot be replayed from history")
