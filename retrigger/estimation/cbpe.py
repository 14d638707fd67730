"""Confidence-based performance estimation (CBPE), from the published math, in numpy.

With calibrated class probabilities ``p[i, j] = P(y_i = j | x_i)`` the expected confusion
matrix on unlabelled rows is a sum of per-row probabilities: row i predicted as class k adds
``p[i, :]`` to column k. Metrics follow from that matrix; unbiased and consistent when the
probabilities are calibrated on the new rows' distribution (Kivimäki et al., 2024/2025), i.e.
when only P(x) moved and P(y|x) did not.

The interval is the spread of the *realised* metric if the probabilities are right: each label
is an independent draw from its row's probabilities. For accuracy the number of correct rows
is Poisson-binomial (variance ``sum p(1-p)``, normal approximation); for the other metrics the
same labels are drawn (seeded) and the metric's 2.5 / 97.5 percentiles taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

ESTIMABLE = ("accuracy", "precision", "recall", "f1", "f1_macro", "roc_auc")
Z95 = 1.959963984540054
_DRAWS = 400
_CELLS = 20_000_000  # draws × rows × classes kept in memory at once

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float


def estimate(metric: str, proba: Floats, scores: Floats, binary: bool, seed: int = 0) -> Interval:
    """``metric`` expected on rows with calibrated ``proba`` (rows × classes); ``scores`` are the
    model's own probabilities, which rank the rows for ROC AUC. ``binary``: class 1 is the
    positive class (precision, recall, f1); otherwise those are macro averages."""
    predicted = np.argmax(scores, axis=1)
    if metric == "accuracy":
        return _accuracy(proba, predicted)
    if metric == "roc_auc":
        value = _expected_auc(proba, scores, binary)
    else:
        value = _from_confusion(metric, _expected_confusion(proba, predicted), binary)
    low, high = _sampled(metric, proba, scores, predicted, binary, seed)
    return Interval(value, min(low, value), max(high, value))


def _accuracy(proba: Floats, predicted: Ints) -> Interval:
    correct = proba[np.arange(len(predicted)), predicted]
    n = len(correct)
    value = float(correct.mean())
    spread = Z95 * float(np.sqrt(np.sum(correct * (1 - correct)))) / n
    return Interval(value, max(0.0, value - spread), min(1.0, value + spread))


def _expected_confusion(proba: Floats, predicted: Ints) -> Floats:
    """``matrix[true, predicted]``: expected counts."""
    k = proba.shape[1]
    matrix = np.zeros((k, k))
    for column in range(k):
        matrix[:, column] = proba[predicted == column].sum(axis=0)
    return matrix


def _from_confusion(metric: str, matrix: Floats, binary: bool) -> float:
    hits = np.diag(matrix)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(matrix.sum(axis=0) > 0, hits / matrix.sum(axis=0), 0.0)
        recall = np.where(matrix.sum(axis=1) > 0, hits / matrix.sum(axis=1), 0.0)
        both = precision + recall
        f1 = np.where(both > 0, 2 * precision * recall / both, 0.0)
    table = {"precision": precision, "recall": recall, "f1": f1, "f1_macro": f1}
    per_class = table[metric]
    if binary and metric != "f1_macro":
        return float(per_class[1])
    return float(per_class.mean())


def _expected_auc(proba: Floats, scores: Floats, binary: bool) -> float:
    classes = [1] if binary else list(range(proba.shape[1]))
    return float(np.mean([_swept_auc(proba[:, k], scores[:, k]) for k in classes]))


def _swept_auc(positive: Floats, score: Floats) -> float:
    """The ROC curve of expected TPR/FPR, thresholds swept down the model's scores."""
    order = np.argsort(-score, kind="stable")
    ranked, p = score[order], positive[order]
    last_of_tie = np.r_[ranked[1:] != ranked[:-1], True]
    tp = np.cumsum(p)[last_of_tie]
    fp = np.cumsum(1 - p)[last_of_tie]
    if tp[-1] <= 0 or fp[-1] <= 0:
        return float("nan")
    tpr = np.r_[0.0, tp / tp[-1]]
    fpr = np.r_[0.0, fp / fp[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def _sampled(
    metric: str, proba: Floats, scores: Floats, predicted: Ints, binary: bool, seed: int
) -> tuple[float, float]:
    rows, k = proba.shape
    draws = int(max(50, min(_DRAWS, _CELLS // max(1, rows * k))))
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(proba, axis=1)
    uniform = rng.random((draws, rows, 1))
    labels = np.minimum((uniform > cumulative[None, :, :]).sum(axis=2), k - 1)
    realised: Callable[[Ints], float] = (
        _auc_of(scores, binary)
        if metric == "roc_auc"
        else (lambda y: _from_confusion(metric, _counts(y, predicted, k), binary))
    )
    values = np.array([realised(y) for y in labels])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def _counts(truth: Ints, predicted: Ints, k: int) -> Floats:
    matrix = np.zeros((k, k))
    np.add.at(matrix, (truth, predicted), 1.0)
    return matrix


def _auc_of(scores: Floats, binary: bool) -> Callable[[Ints], float]:
    """The realised (macro one-vs-rest) ROC AUC of drawn labels: the rank-sum formula, with the
    scores ranked once for every draw."""
    from scipy.stats import rankdata

    classes = [1] if binary else list(range(scores.shape[1]))
    ranks = [np.asarray(rankdata(scores[:, k]), dtype=float) for k in classes]

    def realised(truth: Ints) -> float:
        return float(
            np.mean([_rank_auc(truth == k, r) for k, r in zip(classes, ranks, strict=True)])
        )

    return realised


def _rank_auc(positive: NDArray[np.bool_], ranks: Floats) -> float:
    n1 = int(positive.sum())
    n0 = positive.size - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    return float((ranks[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
