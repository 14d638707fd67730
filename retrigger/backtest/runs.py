"""What MLflow remembers of the past: real retrains, baseline runs, runs that logged the metric.

Read once per backtest (three or four queries), then asked "as of time t" for every point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from retrigger.lineage import tags
from retrigger.lineage.tracking import RunInfo, Tracking
from retrigger.lineage.trained import last_successful


@dataclass(frozen=True)
class RealRetrain:
    """A retrain that really ran, shown beside the replayed ones."""

    run_id: str
    time: datetime
    status: str
    data_version: str | None
    commit: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "time": self.time.isoformat(),
            "status": self.status,
            "data_version": self.data_version,
            "commit": self.commit,
        }


@dataclass(frozen=True)
class PastRuns:
    retrains: Sequence[RunInfo]  # every run tagged as a retrain, newest first
    baselines: Sequence[RunInfo]  # runs that are or were the baseline, newest first
    metric_runs: Sequence[RunInfo]  # non-retrain runs that logged the metric, newest first

    def reference_at(self, when: datetime) -> tuple[RunInfo, str] | None:
        """The run the model in use at ``when`` was trained on, and a label for it."""
        before = [run for run in self.retrains if run.started_at <= when]
        run = last_successful(before)
        if run is not None:
            return run, f"last real retrain {run.run_id[:8]}"
        base = self.baseline_at(when)
        if base is not None:
            return base, f"baseline run {base.run_id[:8]}"
        # A project often tags its first model as the baseline after the data it trained on
        # was committed: the oldest baseline still names the model in use at the start.
        first = self.baselines[-1] if self.baselines else None
        if first is None:
            return None
        return first, f"baseline run {first.run_id[:8]} (recorded after the first point)"

    def baseline_at(self, when: datetime) -> RunInfo | None:
        return next((run for run in self.baselines if run.started_at <= when), None)

    def metric_run_at(self, when: datetime) -> RunInfo | None:
        return next((run for run in self.metric_runs if run.started_at <= when), None)

    def real_retrains(self, start: datetime, end: datetime) -> list[RealRetrain]:
        """Retrains that ran between ``start`` and ``end``, oldest first."""
        return [
            RealRetrain(
                run.run_id,
                run.started_at,
                run.tags.get(tags.STATUS, "unknown"),
                run.data_version,
                run.tags.get(tags.GIT_COMMIT),
            )
            for run in reversed(self.retrains)
            if start <= run.started_at <= end
        ]


def load(tracking: Tracking, metric: str, need_metric_runs: bool) -> PastRuns:
    """Ask MLflow once; an experiment that does not exist yet is an empty past."""
    baselines = [
        *tracking.search(f"tags.`{tags.BASELINE}` = 'true'"),
        *tracking.search(f"tags.`{tags.BASELINE}` = 'false'"),
    ]
    baselines.sort(key=lambda run: run.started_at, reverse=True)
    metric_runs: list[RunInfo] = []
    if need_metric_runs:
        metric_runs = [
            run
            for run in tracking.search(f"metrics.`{metric}` > -1e308")
            if run.tags.get(tags.RETRAIN) != "true"
        ]
    return PastRuns(tracking.retrains(), baselines, metric_runs)
