"""Isotonic calibration on the labelled reference, kept only when it lowers the calibration error.

CBPE is only as right as the probabilities are calibrated. Isotonic regression (one per class,
then renormalised) is fitted on the reference rows; whether it helps is measured on held-out
folds of the reference, so a calibrator is never judged on the rows it was fitted to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import StratifiedKFold

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
_BINS = 10
_FOLDS = 5
# Isotonic is kept only for a clear gain: on an already calibrated model the held-out ECE is as
# noisy as the raw one, and binned ECE favours isotonic's steps (they match bin means by
# construction), so the held-out Brier score, a proper score, must improve too.
_KEEP_BELOW = 0.8


@dataclass(frozen=True)
class Calibration:
    method: str  # "isotonic" or "none"
    error_before: float  # classwise ECE of the model's own probabilities on the reference
    error_after: float  # held-out classwise ECE of what is used
    regressors: tuple[IsotonicRegression, ...] = ()

    def apply(self, scores: Floats) -> Floats:
        if not self.regressors:
            return scores
        return _apply(self.regressors, scores)


def expected_calibration_error(proba: Floats, truth: Ints) -> float:
    """Classwise ECE: per class, the row-weighted gap between mean probability and frequency
    in ten equal-width bins, averaged over the classes."""
    gaps = []
    for k in range(proba.shape[1]):
        p, hit = proba[:, k], (truth == k).astype(float)
        bins = np.minimum((p * _BINS).astype(int), _BINS - 1)
        total = 0.0
        for b in np.unique(bins):
            inside = bins == b
            total += inside.sum() * abs(p[inside].mean() - hit[inside].mean())
        gaps.append(total / len(p))
    return float(np.mean(gaps))


def calibrate(scores: Floats, truth: Ints, seed: int = 0) -> Calibration:
    """Fit isotonic calibration on the reference when held-out folds say it lowers the ECE."""
    before = expected_calibration_error(scores, truth)
    smallest = int(np.bincount(truth, minlength=scores.shape[1]).min())
    if smallest < _FOLDS:  # too few rows of a class to hold any out
        return Calibration("none", before, before)
    held_out = np.empty_like(scores)
    folds = StratifiedKFold(n_splits=_FOLDS, shuffle=True, random_state=seed)
    for fit, test in folds.split(scores, truth):
        held_out[test] = _apply(_fit(scores[fit], truth[fit]), scores[test])
    after = expected_calibration_error(held_out, truth)
    if after > before * _KEEP_BELOW or _brier(held_out, truth) >= _brier(scores, truth):
        return Calibration("none", before, before)
    return Calibration("isotonic", before, after, _fit(scores, truth))


def _brier(proba: Floats, truth: Ints) -> float:
    hits = np.zeros_like(proba)
    hits[np.arange(len(truth)), truth] = 1.0
    return float(np.mean(np.sum((proba - hits) ** 2, axis=1)))


def _fit(scores: Floats, truth: Ints) -> tuple[IsotonicRegression, ...]:
    return tuple(
        IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
            scores[:, k], (truth == k).astype(float)
        )
        for k in range(scores.shape[1])
    )


def _apply(regressors: tuple[IsotonicRegression, ...], scores: Floats) -> Floats:
    if len(regressors) == 2:  # binary: one curve decides both columns, so they sum to one
        positive = np.asarray(regressors[1].predict(scores[:, 1]), dtype=float)
        return np.column_stack([1 - positive, positive])
    columns = np.column_stack([r.predict(scores[:, k]) for k, r in enumerate(regressors)])
    totals = columns.sum(axis=1, keepdims=True)
    uniform = np.full_like(columns, 1.0 / columns.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(totals > 0, columns / totals, uniform)
