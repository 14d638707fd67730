"""The schedule signal: time since the last successful retrain, else since the baseline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from retrigger.config import load_config
from retrigger.lineage import tags
from retrigger.signals.context import SignalContext
from retrigger.signals.schedule import ScheduleSignal
from retrigger.workspace import Workspace


def _context(tmp_path: Path, mlflow_uri: str, now: datetime) -> SignalContext:
    config = tmp_path / "retrigger.yaml"
    config.write_text(
        f"model: {{name: m}}\ntracking: {{uri: '{mlflow_uri}', experiment: e}}\n"
        "signals:\n  schedule: {max_age: 30d}\n"
    )
    workspace = Workspace(load_config(config, environ={}))
    return SignalContext(workspace.loaded, workspace.tracking, now)


def _run(ctx: SignalContext, run_tags: dict[str, str]) -> str:
    client = ctx.tracking.client
    run = client.create_run(str(ctx.tracking.experiment_id(create=True)), tags=run_tags)
    return str(run.info.run_id)


def test_counts_from_the_baseline_before_any_retrain(tmp_path: Path, mlflow_uri: str) -> None:
    now = datetime.now(tz=UTC)
    ctx = _context(tmp_path, mlflow_uri, now + timedelta(days=31))
    _run(ctx, {tags.BASELINE: "true"})

    reading = ScheduleSignal().read(ctx)

    assert reading.fired
    assert reading.value is not None and 31 <= reading.value < 31.1
    assert "baseline run" in reading.detail


def test_only_successful_retrains_reset_the_clock(tmp_path: Path, mlflow_uri: str) -> None:
    ctx = _context(tmp_path, mlflow_uri, datetime.now(tz=UTC) + timedelta(days=5))
    _run(ctx, {tags.BASELINE: "true"})
    good = _run(ctx, {tags.RETRAIN: "true", tags.STATUS: "promoted"})
    _run(ctx, {tags.RETRAIN: "true", tags.STATUS: "failed"})

    reading = ScheduleSignal().read(ctx)

    assert not reading.fired
    assert good[:8] in reading.detail


def test_nothing_recorded_is_unknown_not_due(tmp_path: Path, mlflow_uri: str) -> None:
    """A project just set up has no history: the first check must not retrain for that."""
    reading = ScheduleSignal().read(_context(tmp_path, mlflow_uri, datetime.now(tz=UTC)))

    assert not reading.fired and reading.value is None
    assert reading.detail.startswith("unknown") and "baseline set" in reading.detail
