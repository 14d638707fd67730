"""The performance signal against a real MLflow store: floor, baseline, and a moving bar."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrigger.config import load_config
from retrigger.errors import BadInput
from retrigger.lineage.tracking import Tracking
from retrigger.signals.context import SignalContext
from retrigger.signals.performance import PerformanceSignal
from retrigger.workspace import Workspace


def _context(
    tmp_path: Path,
    mlflow_uri: str,
    signal: str,
    model_extra: str = "",
    metrics: str | None = '{"accuracy": 0.80}',
) -> SignalContext:
    config = tmp_path / "retrigger.yaml"
    config.write_text(
        f"model:\n  name: m\n  metric: accuracy\n{model_extra}"
        f"tracking:\n  uri: {mlflow_uri}\n  experiment: exp\n"
        f"signals:\n  performance: {signal}\n"
    )
    if metrics is not None:
        (tmp_path / "metrics.json").write_text(metrics)
    workspace = Workspace(load_config(config, environ={}))
    return SignalContext(workspace.loaded, workspace.tracking, datetime.now(tz=UTC))


def _log_run(tracking: Tracking, value: float, baseline: bool) -> str:
    client = tracking.client
    run = client.create_run(str(tracking.experiment_id(create=True)))
    client.log_metric(run.info.run_id, "accuracy", value)
    if baseline:
        tracking.set_baseline(run.info.run_id, "accuracy")
    return str(run.info.run_id)


def test_floor_alone_fires_below_it(tmp_path: Path, mlflow_uri: str) -> None:
    ctx = _context(tmp_path, mlflow_uri, "{min: 0.85}")

    reading = PerformanceSignal().read(ctx)

    assert (reading.fired, reading.value, reading.threshold) == (True, 0.80, 0.85)


def test_threshold_follows_the_baseline_when_the_model_improves(
    tmp_path: Path, mlflow_uri: str
) -> None:
    ctx = _context(tmp_path, mlflow_uri, "{min: 0.5, max_drop: 0.05}")
    _log_run(ctx.tracking, 0.82, baseline=True)
    before = PerformanceSignal().read(ctx)

    _log_run(ctx.tracking, 0.90, baseline=True)  # a better model becomes the baseline
    after = PerformanceSignal().read(_context(tmp_path, mlflow_uri, "{min: 0.5, max_drop: 0.05}"))

    assert before.threshold == pytest.approx(0.82 * 0.95)
    assert not before.fired
    assert after.threshold == pytest.approx(0.90 * 0.95)
    assert after.fired  # 0.80 is fine against 0.82 but a >5% drop from 0.90


def test_lower_is_better_mirrors_the_rule(tmp_path: Path, mlflow_uri: str) -> None:
    ctx = _context(
        tmp_path,
        mlflow_uri,
        "{min: 0.5, max_drop: 0.10}",
        model_extra="  greater_is_better: false\n",
        metrics='{"accuracy": 0.35}',
    )
    _log_run(ctx.tracking, 0.30, baseline=True)

    reading = PerformanceSignal().read(ctx)

    assert reading.threshold == pytest.approx(0.33)
    assert reading.fired
    assert "above" in reading.detail


def test_metric_comes_from_the_latest_mlflow_run_without_a_metrics_file(
    tmp_path: Path, mlflow_uri: str
) -> None:
    ctx = _context(
        tmp_path, mlflow_uri, "{min: 0.85}", model_extra="  metrics_file: null\n", metrics=None
    )
    _log_run(ctx.tracking, 0.95, baseline=False)
    run_id = _log_run(ctx.tracking, 0.70, baseline=False)

    reading = PerformanceSignal().read(ctx)

    assert reading.value == pytest.approx(0.70)
    assert run_id[:8] in reading.detail
    assert reading.fired


def test_no_run_with_the_metric_is_bad_input(tmp_path: Path, mlflow_uri: str) -> None:
    ctx = _context(
        tmp_path, mlflow_uri, "{min: 0.85}", model_extra="  metrics_file: null\n", metrics=None
    )

    with pytest.raises(BadInput, match="logged 'accuracy'"):
        PerformanceSignal().read(ctx)
