"""Performance: the primary metric against a floor and against the baseline run.

The baseline threshold moves with the baseline: when a better model becomes the baseline,
the allowed drop is measured from the better number, without touching config.
"""

from __future__ import annotations

from retrigger.config.models import ModelConfig, PerformanceSignalConfig
from retrigger.errors import BadInput, WorkFailed
from retrigger.lineage.in_use import newest_number
from retrigger.lineage.tags import BASELINE
from retrigger.metrics_file import finite_number, read_metric
from retrigger.signals.base import Reading
from retrigger.signals.context import SignalContext


class PerformanceSignal:
    kind = "performance"

    def read(self, ctx: SignalContext) -> Reading:
        settings = ctx.config.signals.performance
        assert settings is not None  # the registry only builds configured signals
        model = ctx.config.model
        if settings.source == "estimated":
            return _estimated(ctx, settings, model)
        extra: dict[str, object] = {}
        if settings.source == "validation":
            value, source, rows = _scored_champion(ctx)
            extra["rows"] = rows  # an earlier estimate may have been made on these rows
        else:
            value, source, whose = current_metric(ctx)
            extra.update({"source": whose} if whose else {})
            # Which metric, from which file: an earlier estimate may be proven to hold its rows.
            extra["measured"] = {"metric": model.metric, "file": model.metrics_file}
        limits = _limits(ctx, settings, model)
        if not limits:
            return Reading(
                self.kind,
                value,
                None,
                False,
                f"{model.metric}={value:.4g} ({source}); no floor and no baseline run "
                f"tagged {BASELINE}=true: set one with `retrigger baseline set RUN_ID`",
                extra=extra,
            )
        threshold = _strictest(limits, model)
        fired = value < threshold if model.greater_is_better else value > threshold
        relation = ("below" if model.greater_is_better else "above") if fired else "within"
        parts = "; ".join(text for _, text in limits)
        detail = (
            f"{model.metric}={value:.4g} ({source}) is {relation} the threshold "
            f"{threshold:.4g} ({parts})"
        )
        return Reading(self.kind, value, threshold, fired, detail, extra=extra)


def current_metric(ctx: SignalContext) -> tuple[float, str, dict[str, str | None]]:
    """The primary metric now, where it was read, and (from MLflow) whose run and version."""
    model = ctx.config.model
    perf = ctx.config.signals.performance
    if perf is not None and perf.source == "validation":
        value, source, _ = _scored_champion(ctx)
        return value, source, {}
    if model.metrics_file:
        path = ctx.root / model.metrics_file
        return read_metric(path, model.metric, ctx.root), model.metrics_file, {}
    found = newest_number(
        ctx.tracking, model.name, ctx.config.pipeline.champion_alias, model.metric
    )
    if found is None:
        raise BadInput(
            f"no MLflow run in experiment {ctx.config.tracking.experiment!r} logged "
            f"{model.metric!r} for the model in use; set model.metrics_file or log the metric"
        )
    value = finite_number(found.value, f"metric {model.metric!r} of run {found.run_id}")
    return value, found.label, {"run_id": found.run_id, "model_version": found.model_version}


def _limits(
    ctx: SignalContext, settings: PerformanceSignalConfig, model: ModelConfig
) -> list[tuple[float, str]]:
    limits: list[tuple[float, str]] = []
    if settings.min is not None:
        word = "floor" if model.greater_is_better else "ceiling"
        limits.append((settings.min, f"{word} {settings.min:.4g}"))
    if settings.max_drop is not None and ctx.baseline is not None:
        run = ctx.baseline
        if model.metric not in run.metrics:
            raise BadInput(
                f"baseline run {run.run_id} has no metric {model.metric!r}; "
                "choose another with `retrigger baseline set RUN_ID`"
            )
        base = finite_number(run.metrics[model.metric], f"baseline metric {model.metric!r}")
        allowed = abs(base) * settings.max_drop
        bound = base - allowed if model.greater_is_better else base + allowed
        limits.append(
            (
                bound,
                f"baseline {base:.4g} from run {run.run_id[:8]} "
                f"allows {settings.max_drop:.0%} → {bound:.4g}",
            )
        )
    return limits


def _estimated(
    ctx: SignalContext, settings: PerformanceSignalConfig, model: ModelConfig
) -> Reading:
    """``source: estimated``: no labels; the champion's metric estimated on estimation.data."""
    from retrigger.signals.estimated import read_estimated

    return read_estimated(ctx, _limits(ctx, settings, model), model.greater_is_better)


def _strictest(limits: list[tuple[float, str]], model: ModelConfig) -> float:
    values = [limit for limit, _ in limits]
    return max(values) if model.greater_is_better else min(values)


def _scored_champion(ctx: SignalContext) -> tuple[float, str, dict[str, object]]:
    """``signals.performance.source: validation``: the champion scored on validation.data now,
    so new labelled rows alone can fire the signal, without a scoring step in the pipeline."""
    from retrigger.estimation.realised import rows_key
    from retrigger.evaluation import scoring

    config = ctx.config
    validation, metric = config.scored_validation, config.validation_metric()
    assert validation is not None and metric is not None  # the config refuses it otherwise
    uri = f"models:/{config.model.name}@{config.pipeline.champion_alias}"
    rows = scoring.read_labelled(ctx.root, validation)
    try:
        model = scoring.load(uri, ctx.tracking.uri)
        value = scoring.score(model, rows, metric)
    except WorkFailed as exc:
        raise BadInput(
            f"performance source validation: {exc}; adopt a loadable champion with "
            "`retrigger champion set VERSION`"
        ) from None
    scored: dict[str, object] = {  # by content: an earlier estimate may have been made on them
        "path": rows.path,
        "md5": rows.md5,
        "rows_key": rows_key(rows.features),
        "metric": metric.name,
    }
    return value, f"{uri} scored on {rows.path}, {rows.rows} rows, md5 {rows.md5[:8]}", scored
