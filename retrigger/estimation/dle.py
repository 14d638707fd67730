"""Direct loss estimation (DLE): a regressor's error on unlabelled rows, from a second model.

A gradient-boosted "loss model" learns, on the labelled reference, each row's loss of the
champion (absolute error for MAE, squared error for MSE / RMSE) from the row's features and the
champion's own prediction. On new rows the expected loss is the mean of the loss model's
predictions. Like CBPE it holds while P(y|x) is unchanged: it reads where the champion errs,
not whether the world changed its answers.

The interval: out-of-fold on the reference, the loss model's residuals ``r = loss - predicted``
say how far the mean of the real losses strays from the mean of the predicted ones; on ``n`` new
rows that is ``mean(r) ± 1.96·sd(r)/√n`` (the mean of ``r`` corrects the loss model's bias).
RMSE is the square root of the MSE estimate and of its interval's ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retrigger.estimation.cbpe import Z95, Interval
from retrigger.estimation.classifier import CannotEstimate, Limits
from retrigger.estimation.support import outside_share

ESTIMABLE = ("mae", "mse", "rmse")
_FOLDS = 5
_MIN_REFERENCE = 50  # fewer labelled rows cannot teach a loss model anything

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class RegressorEstimate:
    metric: str
    interval: Interval
    rows: int
    loss_model_error: float  # out-of-fold mean absolute error of the loss model, per row
    outside: float  # share of new rows outside the reference's per-feature range
    loss_models: str = "fitted"  # "reused": fitted by an earlier call on the same reference


@dataclass(frozen=True)
class LossModel:
    """The loss models of one champion on one reference: fitted once (five folds), then
    shared by every estimate of new rows against that reference."""

    metric: str
    folds: tuple[Any, ...]  # the fold models (HistGradientBoostingRegressor)
    residual: Floats  # out-of-fold ``loss - predicted``, per reference row
    categories: dict[str, list[str]]  # text columns and the categories the reference knows
    columns: tuple[str, ...]  # the reference's feature columns, in order


def fit(model: Any, reference: Any, labels: Any, metric: str) -> LossModel:
    """The loss models of ``model`` for ``metric``, from its losses against ``labels`` on the
    ``reference`` features."""
    _enough(reference)
    truth, predicted = _numbers(labels), _predict(model, reference)
    loss = np.abs(truth - predicted) if metric == "mae" else (truth - predicted) ** 2
    categories = _categories(reference)
    inputs = _inputs(reference, predicted, categories)
    out_of_fold, folds = _cross_fit(inputs, loss)
    columns = tuple(map(str, reference.columns))
    return LossModel(metric, folds, loss - out_of_fold, categories, columns)


def estimate(
    model: Any,
    reference: Any,
    labels: Any,
    new: Any,
    metric: str,
    limits: Limits,
    fitted: LossModel | None = None,
) -> RegressorEstimate:
    """``metric`` of ``model`` on the rows ``new`` (a DataFrame of features), learned from its
    losses against ``labels`` on the ``reference`` features (or given, ``fitted``, by an
    earlier call on the same reference and model)."""
    _enough(reference)
    if len(new) == 0:
        raise CannotEstimate("the new rows file holds no rows")
    outside = outside_share(reference, new)
    if outside > limits.max_outside:
        raise CannotEstimate(
            f"{outside:.0%} of the new rows fall outside the reference's range "
            f"(limit {limits.max_outside:.0%}): the reference says nothing about them"
        )
    losses = fitted if fitted is not None else fit(model, reference, labels, metric)
    rows = new.reindex(columns=list(losses.columns))
    inputs = _inputs(rows, _predict(model, new), losses.categories)
    fold_means = np.asarray([_mean_loss(fold, inputs) for fold in losses.folds])
    residual = losses.residual
    centre = float(np.mean(fold_means) + residual.mean())
    # Two spreads: the new rows' own losses around the loss model's prediction (sampling), and
    # how much the loss model itself moves with the rows it learned from (jackknife over the
    # folds) — the second is what grows where the new rows sit far from most reference rows.
    spread = np.var(residual, ddof=1) / len(new)
    jackknife = (_FOLDS - 1) / _FOLDS * float(np.sum((fold_means - np.mean(fold_means)) ** 2))
    half = Z95 * float(np.sqrt(spread + jackknife))
    low, high = max(centre - half, 0.0), centre + half
    if metric == "rmse":
        centre, low, high = (float(np.sqrt(max(v, 0.0))) for v in (centre, low, high))
    error = float(np.abs(residual).mean())
    return RegressorEstimate(metric, Interval(centre, low, high), len(new), error, outside)


def _enough(reference: Any) -> None:
    if len(reference) < _MIN_REFERENCE:
        raise CannotEstimate(
            f"the reference has {len(reference)} labelled rows; a loss model needs at least "
            f"{_MIN_REFERENCE}"
        )


def _numbers(labels: Any) -> Floats:
    try:
        return np.asarray(labels, dtype=float)
    except (TypeError, ValueError):
        raise CannotEstimate(
            "the reference's target is not numeric: DLE estimates regressors"
        ) from None


def _predict(model: Any, features: Any) -> Floats:
    try:
        found = np.asarray(model.predict(features), dtype=float)
    except Exception as exc:  # a missing column, a dtype the model refuses...
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CannotEstimate(f"the model cannot predict on the rows: {first[:200]}") from None
    if found.ndim != 1:
        found = found.reshape(len(features), -1)
        if found.shape[1] != 1:
            raise CannotEstimate("the model predicts several outputs per row; DLE needs one")
        found = found[:, 0]
    return found


def _categories(reference: Any) -> dict[str, list[str]]:
    import pandas as pd

    return {
        str(column): sorted(reference[column].dropna().astype(str).unique())
        for column in reference.columns
        if not pd.api.types.is_numeric_dtype(reference[column])
    }


def _inputs(rows: Any, predicted: Floats, categories: dict[str, list[str]]) -> Any:
    """The loss model's inputs: the features (text as categories the reference knows) and the
    champion's prediction."""
    import pandas as pd

    found = rows.copy()
    for column, known in categories.items():
        found[column] = found[column].astype(str).astype(pd.CategoricalDtype(known))
    found["__prediction__"] = predicted
    return found


def _fit(inputs: Any, loss: Floats) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    model = HistGradientBoostingRegressor(
        categorical_features="from_dtype", max_iter=100, early_stopping=False, random_state=0
    )
    # OpenMP would start a thread per core and spin; on a shared CI runner one is faster.
    with threadpool_limits(limits=1):
        return model.fit(inputs, loss)


def _mean_loss(fold: Any, inputs: Any) -> float:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return float(np.clip(fold.predict(inputs), 0, None).mean())


def _cross_fit(inputs: Any, loss: Floats) -> tuple[Floats, tuple[Any, ...]]:
    """Each reference row's loss predicted by a loss model that did not learn from it, and
    the five fold models."""
    from sklearn.model_selection import KFold
    from threadpoolctl import threadpool_limits

    found = np.empty(len(loss), dtype=float)
    folds = []
    for train, held in KFold(_FOLDS, shuffle=True, random_state=0).split(inputs):
        fitted = _fit(inputs.iloc[train], loss[train])
        with threadpool_limits(limits=1):
            found[held] = np.clip(fitted.predict(inputs.iloc[held]), 0, None)
        folds.append(fitted)
    return found, tuple(folds)
