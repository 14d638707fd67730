"""CBPE on seeded synthetic rows where the realised metric is computed from held-back labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn import metrics as sk
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from retrigger.estimation.classifier import CannotEstimate, Limits, estimate
from tests.estimation.synthetic import world

LIMITS = Limits(max_calibration_error=0.05, max_outside=0.1)


def _realised(metric: str, model: Any, features: Any, labels: Any) -> float:
    if metric == "roc_auc":
        return float(sk.roc_auc_score(labels, model.predict_proba(features)[:, 1]))
    scorer = {"accuracy": sk.accuracy_score, "f1": sk.f1_score, "precision": sk.precision_score}
    return float(scorer[metric](labels, model.predict(features)))


@pytest.mark.parametrize("metric", ["accuracy", "f1", "precision", "roc_auc"])
@pytest.mark.parametrize("weights", [None, {0: 1, 1: 4}], ids=["calibrated", "uncalibrated"])
def test_under_covariate_shift_the_realised_metric_lies_inside_the_estimated_interval(
    metric: str, weights: dict[int, int] | None
) -> None:
    rows = world(seed=0)
    model = LogisticRegression(class_weight=weights).fit(*rows["train"])
    reference, labels = rows["reference"]
    new, held_back = rows["covariate"]

    found = estimate(model, reference, labels, new, metric, LIMITS)

    realised = _realised(metric, model, new, held_back)
    assert found.interval.low <= realised <= found.interval.high
    assert found.interval.high - found.interval.low < 0.05
    # the shift is real: the metric moved well beyond the interval's width from the reference
    assert (
        abs(_realised(metric, model, reference, labels) - realised) > 0.05 or metric != "accuracy"
    )
    # the class-weighted model is miscalibrated, and only isotonic calibration makes it right
    assert found.calibration == ("isotonic" if weights else "none")


def test_an_uncalibrated_model_left_uncalibrated_would_miss() -> None:
    rows = world(seed=0)
    model = LogisticRegression(class_weight={0: 1, 1: 4}).fit(*rows["train"])
    new, held_back = rows["covariate"]

    raw = float(model.predict_proba(new).max(axis=1).mean())  # CBPE without calibration

    assert abs(raw - _realised("accuracy", model, new, held_back)) > 0.05


def test_under_concept_shift_the_estimate_misses_the_realised_accuracy() -> None:
    """README's caveat, shown: when P(y|x) changes, the labels' new meaning is invisible in
    unlabelled rows; the estimate stays where the old relation puts it."""
    rows = world(seed=0)
    model = LogisticRegression().fit(*rows["train"])
    reference, labels = rows["reference"]
    new, held_back = rows["concept"]

    found = estimate(model, reference, labels, new, "accuracy", LIMITS)

    realised = _realised("accuracy", model, new, held_back)
    assert realised < found.interval.low - 0.05


def test_a_model_without_predict_proba_is_refused() -> None:
    rows = world(seed=0)
    model = LinearSVC().fit(*rows["train"])
    reference, labels = rows["reference"]

    with pytest.raises(CannotEstimate, match="no predict_proba"):
        estimate(model, reference, labels, rows["covariate"][0], "accuracy", LIMITS)


def test_rows_outside_the_reference_range_are_refused() -> None:
    rows = world(seed=0)
    model = LogisticRegression().fit(*rows["train"])
    reference, labels = rows["reference"]
    far = rows["same"][0] + 10.0

    with pytest.raises(CannotEstimate, match="100% of the new rows fall outside"):
        estimate(model, reference, labels, far, "accuracy", LIMITS)


def test_calibration_error_above_the_bound_after_calibration_is_refused() -> None:
    rows = world(seed=0)
    model = LogisticRegression(class_weight={0: 1, 1: 4}).fit(*rows["train"])
    reference, labels = rows["reference"]
    strict = Limits(max_calibration_error=0.001, max_outside=0.1)

    with pytest.raises(CannotEstimate, match=r"stay miscalibrated .* after isotonic calibration"):
        estimate(model, reference, labels, rows["covariate"][0], "accuracy", strict)


@pytest.mark.parametrize("metric", ["accuracy", "f1_macro", "roc_auc"])
def test_multiclass_with_string_labels_is_estimated_as_macro_averages(metric: str) -> None:
    import pandas as pd

    def rows(rng: Any, n: int, scale: float) -> tuple[Any, Any]:
        x = rng.normal(0, scale, (n, 2))
        logits = np.column_stack([2 * x[:, 0], 2 * x[:, 1], -x[:, 0] - x[:, 1]])
        proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        picked = (rng.random((n, 1)) > proba.cumsum(axis=1)).sum(axis=1)
        names = np.array(["cat", "dog", "eel"])[np.minimum(picked, 2)]
        return pd.DataFrame(x, columns=["a", "b"]), pd.Series(names)

    rng = np.random.default_rng(3)
    train, reference, new = rows(rng, 3000, 1.5), rows(rng, 5000, 1.5), rows(rng, 3000, 0.6)
    model = LogisticRegression().fit(*train)

    found = estimate(model, *reference, new[0], metric, LIMITS)

    truth, predicted = new[1], model.predict(new[0])
    realised = {
        "accuracy": lambda: sk.accuracy_score(truth, predicted),
        "f1_macro": lambda: sk.f1_score(truth, predicted, average="macro"),
        "roc_auc": lambda: sk.roc_auc_score(truth, model.predict_proba(new[0]), multi_class="ovr"),
    }[metric]()
    assert found.interval.low <= realised <= found.interval.high
