"""A classifier's metric on unlabelled rows: probabilities, calibration, support, CBPE.

Every way the estimate could be wrong that can be checked is checked first, and refused with
the reason (``CannotEstimate``): no ``predict_proba``, labels the model never predicts, the
reference still miscalibrated after calibration, new rows outside the reference's range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from retrigger.estimation import cbpe
from retrigger.estimation.calibration import calibrate
from retrigger.estimation.support import outside_share


class CannotEstimate(Exception):
    """The estimate would not mean what it says; ``str()`` is why, in one line."""


@dataclass(frozen=True)
class Limits:
    max_calibration_error: float
    max_outside: float


@dataclass(frozen=True)
class ClassifierEstimate:
    metric: str
    interval: cbpe.Interval
    rows: int
    calibration: str  # "isotonic" or "none"
    calibration_error: float  # held-out classwise ECE on the reference, of what was used
    outside: float  # share of new rows outside the reference's per-feature range


def estimate(
    model: Any, reference: Any, labels: Any, new: Any, metric: str, limits: Limits
) -> ClassifierEstimate:
    """``metric`` of ``model`` on the rows ``new`` (a DataFrame of features), learned from how
    its probabilities relate to ``labels`` on the ``reference`` features."""
    proba_of, classes = _probabilities(model)
    truth = _indices(labels, classes)
    outside = outside_share(reference, new)
    if outside > limits.max_outside:
        raise CannotEstimate(
            f"{outside:.0%} of the new rows fall outside the reference's range "
            f"(limit {limits.max_outside:.0%}): the reference says nothing about them"
        )
    reference_scores, new_scores = proba_of(reference), proba_of(new)
    calibration = calibrate(reference_scores, truth)
    if calibration.error_after > limits.max_calibration_error:
        raise CannotEstimate(
            f"the model's probabilities stay miscalibrated on the reference (expected "
            f"calibration error {calibration.error_after:.3f} after {calibration.method} "
            f"calibration, limit {limits.max_calibration_error:.3f})"
        )
    binary = len(classes) == 2 and {c for c in classes} <= {0, 1}
    interval = cbpe.estimate(metric, calibration.apply(new_scores), new_scores, binary)
    if not np.isfinite(interval.value):
        raise CannotEstimate(f"{metric} is undefined on these rows (one class expected only)")
    return ClassifierEstimate(
        metric, interval, len(new), calibration.method, calibration.error_after, outside
    )


def _probabilities(model: Any) -> tuple[Any, list[Any]]:
    """The underlying model's ``predict_proba`` (a pyfunc model hides it) and its classes."""
    raw = model
    if hasattr(model, "get_raw_model"):
        try:
            raw = model.get_raw_model()
        except Exception:  # a flavor without a raw model: pyfunc's predict is all there is
            raw = None
    if raw is None or not hasattr(raw, "predict_proba") or not hasattr(raw, "classes_"):
        raise CannotEstimate(
            "the model has no predict_proba: CBPE needs class probabilities "
            "(use source: validation, or log a classifier that has them)"
        )

    def proba_of(features: Any) -> Any:
        try:
            return np.asarray(raw.predict_proba(features), dtype=float)
        except Exception as exc:  # a missing column, a dtype the model refuses...
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CannotEstimate(f"the model cannot predict on the rows: {first[:200]}") from None

    return proba_of, list(raw.classes_)


def _indices(labels: Any, classes: list[Any]) -> Any:
    position = {label: index for index, label in enumerate(classes)}
    unknown = sorted({str(v) for v in labels if v not in position})
    if unknown:
        raise CannotEstimate(
            f"the reference holds labels the model never predicts ({', '.join(unknown[:5])})"
        )
    return np.array([position[v] for v in labels], dtype=np.int64)
