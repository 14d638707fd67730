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


def estimate(
    model: Any, reference: Any, labels: Any, new: Any, metric: str, limits: Limits
) -> RegressorEstimate:
    """``metric`` of ``model`` on the rows ``new`` (a DataFrame of features), learned from its
    losses against ``labels`` on the ``reference`` features."""
    if len(reference) < _MIN_REFERENCE:
        raise CannotEstimate(
            f"the reference has {len(reference)} labelled rows; a loss model needs at least "
            f"{_MIN_REFERENCE}"
        )
    if len(new) == 0:
        raise CannotEstimate("the new rows file holds no rows")
    outside = outside_share(reference, new)
    if outside > limits.max_outside:
        raise CannotEstimate(
            f"{outside:.0%} of the new rows fall outside the reference's range "
            f"(limit {limits.max_outside:.0%}): the reference says nothing about them"
        )
    truth = _numbers(labels)
    predicted_ref, predicted_new = _predict(model, reference), _predict(model, new)
    loss = np.abs(truth - predicted_ref) if metric == "mae" else (truth - predicted_ref) ** 2
    inputs_ref, inputs_new = _inputs(reference, predicted_ref, new, predicted_new)
    out_of_fold, fold_means = _cross_fit(inputs_ref, loss, inputs_new)
    residual = loss - out_of_fold
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


def _inputs(
    reference: Any, predicted_ref: Floats, new: Any, predicted_new: Floats
) -> tuple[Any, Any]:
    """The loss model's inputs: the features (text as categories the reference knows) and the
    champion's prediction."""
    import pandas as pd

    left, right = reference.copy(), new.reindex(columns=reference.columns)
    for column in left.columns:
        if not pd.api.types.is_numeric_dtype(left[column]):
            kinds = pd.CategoricalDtype(sorted(left[column].dropna().astype(str).unique()))
            left[column] = left[column].astype(str).astype(kinds)
            right[column] = right[column].astype(str).astype(kinds)
    left["__prediction__"], right["__prediction__"] = predicted_ref, predicted_new
    return left, right


def _fit(inputs: Any, loss: Floats) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    model = HistGradientBoostingRegressor(
        categorical_features="from_dtype", max_iter=100, early_stopping=False, random_state=0
    )
    # OpenMP would start a thread per core and spin; on a shared CI runner one is faster.
    with threadpool_limits(limits=1):
        return model.fit(inputs, loss)


def _cross_fit(inputs: Any, loss: Floats, new: Any) -> tuple[Floats, Floats]:
    """Each reference row's loss predicted by a loss model that did not learn from it, and
    each fold's loss model's mean prediction on the new rows."""
    from sklearn.model_selection import KFold

    found = np.empty(len(loss), dtype=float)
    means = []
    for train, held in KFold(_FOLDS, shuffle=True, random_state=0).split(inputs):
        fitted = _fit(inputs.iloc[train], loss[train])
        found[held] = np.clip(fitted.predict(inputs.iloc[held]), 0, None)
        means.append(float(np.clip(fitted.predict(new), 0, None).mean()))
    return found, np.asarray(means)
