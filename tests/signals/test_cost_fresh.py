"""The cost policy's fresh level, read live from MLflow (``check_cost.fresh_level``): the mean
of the levels the last trained models had, each from its own run, the model in use's the anchor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrigger.commands.check_cost import fresh_level
from retrigger.config import load_config
from retrigger.lineage import tags
from retrigger.signals.context import SignalContext
from retrigger.workspace import Workspace

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _context(tmp_path: Path, mlflow_uri: str) -> SignalContext:
    config = tmp_path / "retrigger.yaml"
    config.write_text(
        f"model: {{name: m, metric: accuracy}}\ntracking: {{uri: '{mlflow_uri}', experiment: e}}\n"
    )
    workspace = Workspace(load_config(config, environ={}))
    return SignalContext(workspace.loaded, workspace.tracking, T0 + timedelta(days=30))


def _run(ctx: SignalContext, day: int, run_tags: dict[str, str], accuracy: float | None) -> str:
    client = ctx.tracking.client
    started = int((T0 + timedelta(days=day)).timestamp() * 1000)
    experiment = str(ctx.tracking.experiment_id(create=True))
    run_id = str(client.create_run(experiment, start_time=started, tags=run_tags).info.run_id)
    if accuracy is not None:
        client.log_metric(run_id, "accuracy", accuracy)
    return run_id


def test_the_fresh_level_is_the_mean_of_the_successful_runs_levels(
    tmp_path: Path, mlflow_uri: str
) -> None:
    ctx = _context(tmp_path, mlflow_uri)
    baseline = _run(ctx, 0, {tags.BASELINE: "true"}, 0.80)
    _run(ctx, 1, {tags.RETRAIN: "true", tags.STATUS: "failed"}, 0.10)  # never in use
    _run(ctx, 2, {tags.RETRAIN: "true", tags.STATUS: "promoted"}, None)  # logged no accuracy
    newest = _run(ctx, 3, {tags.RETRAIN: "true", tags.STATUS: "promoted"}, 0.96)

    fresh = fresh_level(ctx)

    assert fresh is not None and fresh.run_id == newest  # the anchor: the model in use's run
    assert fresh.value == pytest.approx((0.96 + 0.80) / 2)
    assert fresh.source == (
        f"the mean of 2 runs' fresh levels (retrain run {newest[:8]} accuracy 0.96, "
        f"baseline run {baseline[:8]} accuracy 0.8)"
    )


def test_no_run_with_the_metric_leaves_the_fresh_level_unknown(
    tmp_path: Path, mlflow_uri: str
) -> None:
    ctx = _context(tmp_path, mlflow_uri)
    only = _run(ctx, 0, {tags.BASELINE: "true"}, None)

    fresh = fresh_level(ctx)

    assert fresh is not None and fresh.value is None and fresh.run_id == only
    assert "logged no 'accuracy'" in fresh.source
