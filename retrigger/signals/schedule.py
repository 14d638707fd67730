"""Schedule: time since the last successful retrain (before any retrain: the baseline run)."""

from __future__ import annotations

from retrigger.config.durations import humanize
from retrigger.signals.base import Reading
from retrigger.signals.context import SignalContext

_DAY = 86400.0


class ScheduleSignal:
    kind = "schedule"

    def read(self, ctx: SignalContext) -> Reading:
        settings = ctx.config.signals.schedule
        assert settings is not None
        max_days = settings.max_age.total_seconds() / _DAY
        run = ctx.last_successful_retrain
        what = "last successful retrain"
        if run is None:
            run, what = ctx.baseline, "baseline run (no retrain yet)"
        if run is None:
            # Unknown, not due: a project just set up has no history yet, and firing on that
            # would retrain a model nobody has judged. The first baseline starts the clock.
            return Reading(
                self.kind,
                None,
                max_days,
                False,
                f"unknown: no retrain and no baseline run recorded yet, so max age "
                f"{humanize(settings.max_age)} cannot be measured; record the model "
                "in production with `retrigger baseline set RUN_ID` (or "
                "`--from-metrics`)",
                unknown=True,
            )
        age = ctx.now - run.started_at
        fired = age >= settings.max_age
        verb = "exceeds" if fired else "is within"
        return Reading(
            self.kind,
            round(age.total_seconds() / _DAY, 4),
            max_days,
            fired,
            f"{what} {run.run_id[:8]} was {humanize(age)} ago; {verb} max age "
            f"{humanize(settings.max_age)}",
        )
