"""``signals.performance.source: estimated``: the champion's metric estimated on new rows.

The performance signal hands over its thresholds; this module reads the two files, loads the
champion, estimates, and judges the estimate (or its whole interval, ``fire_on: bound``).
What would make the estimate meaningless is an ``unknown`` reading with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from retrigger.decision import Reading
from retrigger.errors import BadInput, WorkFailed
from retrigger.estimation import classifier, dle, rows
from retrigger.estimation.cbpe import Interval
from retrigger.estimation.classifier import ClassifierEstimate
from retrigger.estimation.dle import RegressorEstimate
from retrigger.estimation.realised import rows_key
from retrigger.estimation.rows import Rows
from retrigger.signals.context import SignalContext

KIND = "performance"


@dataclass(frozen=True)
class Champion:
    uri: str
    version: str | None  # the registry version the alias pointed at, when MLflow said


def read_estimated(
    ctx: SignalContext, limits: list[tuple[float, str]], greater_is_better: bool
) -> Reading:
    """The reading; ``limits`` are the performance signal's (value, why) thresholds."""
    from retrigger.evaluation import scoring

    config = ctx.config
    settings, target, metric = (
        config.estimation,
        config.estimation_target(),
        config.estimation_metric(),
    )
    assert settings is not None and target is not None and metric is not None  # config refuses
    reference = rows.read(ctx.root, settings.reference, "estimation.reference")
    new = rows.read(ctx.root, settings.data, "estimation.data")
    features, labels = rows.split_labels(reference, target)
    champion = _champion(ctx)
    try:
        model = scoring.load(champion.uri, ctx.tracking.uri)
    except WorkFailed as exc:
        raise BadInput(
            f"performance source estimated: {exc}; adopt a loadable champion with "
            "`retrigger champion set VERSION`"
        ) from None
    bounds = classifier.Limits(settings.max_calibration_error, settings.max_outside)
    unlabelled = new.frame.drop(columns=[target], errors="ignore")
    where = f"{new.path} ({len(new.frame)} rows, md5 {new.md5[:8]})"
    try:
        found = _estimate(ctx, champion, reference, model, (features, labels), unlabelled, bounds)
    except classifier.CannotEstimate as exc:
        return Reading(
            KIND, None, None, False, f"{metric} cannot be estimated on {where}: {exc}", unknown=True
        )
    facts = _facts(found, champion, new, reference) | {"rows_key": rows_key(unlabelled)}
    said = (
        f"{metric}={found.interval.value:.4g} estimated, 95% interval "
        f"[{found.interval.low:.4g}, {found.interval.high:.4g}], on {where} by {champion.uri}"
        f"{f' version {champion.version}' if champion.version else ''} ({_how(found)} on "
        f"{reference.path})"
    )
    return _judge(found.interval, facts, said, limits, greater_is_better, settings.fire_on)


def _estimate(
    ctx: SignalContext,
    champion: Champion,
    reference: Rows,
    model: object,
    labelled: tuple[object, object],
    new: object,
    bounds: classifier.Limits,
) -> ClassifierEstimate | RegressorEstimate:
    """CBPE for a classifier's metric, DLE for a regressor's."""
    metric = ctx.config.estimation_metric()
    assert metric is not None  # the config refuses an estimation without one
    if metric in dle.ESTIMABLE:
        return _dle(ctx, champion, reference, model, labelled, new, metric, bounds)
    features, labels = labelled
    return classifier.estimate(model, features, labels, new, metric, bounds)


def _dle(
    ctx: SignalContext,
    champion: Champion,
    reference: Rows,
    model: object,
    labelled: tuple[object, object],
    new: object,
    metric: str,
    bounds: classifier.Limits,
) -> RegressorEstimate:
    """DLE, its loss models fitted once per reference file, champion version and metric
    (``.retrigger/estimation/``): later checks of new rows only predict."""
    from retrigger.estimation import loss_cache

    features, labels = labelled
    fitted, reused = None, False
    if champion.version is not None:  # without a version, nothing says it is the same model
        key = loss_cache.LossKey(reference.md5, f"{champion.uri} {champion.version}", metric)
        fitted, reused = loss_cache.loss_model(
            ctx.root, key, lambda: dle.fit(model, features, labels, metric)
        )
    found = dle.estimate(model, features, labels, new, metric, bounds, fitted)
    return replace(found, loss_models="reused" if reused else "fitted")


def _how(found: ClassifierEstimate | RegressorEstimate) -> str:
    if isinstance(found, RegressorEstimate):
        return (
            f"direct loss estimation, the loss model off by {found.loss_model_error:.4g} "
            "per row out-of-fold"
        )
    return f"{found.calibration} calibration, ECE {found.calibration_error:.3f}"


def _champion(ctx: SignalContext) -> Champion:
    name, alias = ctx.config.model.name, ctx.config.pipeline.champion_alias
    uri = f"models:/{name}@{alias}"
    try:
        version = str(ctx.tracking.client.get_model_version_by_alias(name, alias).version)
    except Exception:  # no such alias: loading it below says so in MLflow's words
        version = None
    return Champion(uri, version)


def _facts(
    found: ClassifierEstimate | RegressorEstimate, champion: Champion, new: Rows, reference: Rows
) -> dict[str, object]:
    how: dict[str, object] = (
        {
            "method": "dle",
            "loss_model_error": found.loss_model_error,
            "loss_models": found.loss_models,
        }
        if isinstance(found, RegressorEstimate)
        else {
            "method": "cbpe",
            "calibration": found.calibration,
            "calibration_error": found.calibration_error,
        }
    )
    return {
        **how,
        "metric": found.metric,
        "value": found.interval.value,
        "low": found.interval.low,
        "high": found.interval.high,
        "confidence": 0.95,
        "rows": found.rows,
        "model": champion.uri,
        "model_version": champion.version,
        "data": {"path": new.path, "md5": new.md5},
        "reference": {"path": reference.path, "md5": reference.md5},
        "outside_share": found.outside,
    }


def _judge(
    found: Interval,
    facts: dict[str, object],
    said: str,
    limits: list[tuple[float, str]],
    greater_is_better: bool,
    fire_on: str,
) -> Reading:
    value, low, high = found.value, found.low, found.high
    extra: dict[str, object] = {"estimate": facts}
    if not limits:
        return Reading(KIND, value, None, False, f"{said}; no floor and no baseline run", extra)
    values = [limit for limit, _ in limits]
    threshold = max(values) if greater_is_better else min(values)
    edge = (high if greater_is_better else low) if fire_on == "bound" else value
    fired = edge < threshold if greater_is_better else edge > threshold
    past = "below" if greater_is_better else "above"
    subject = "the whole interval" if fire_on == "bound" else "the estimate"
    relation = f"{subject} is {past}" if fired else f"{subject} is not {past}"
    parts = "; ".join(text for _, text in limits)
    detail = f"{said}: {relation} the threshold {threshold:.4g} ({parts})"
    return Reading(KIND, value, threshold, fired, detail, extra)
