"""The metric names ``validation.metric`` accepts: scikit-learn's names and the usual aliases.

Names only, no sklearn import: the config is read by git hooks, which must stay light. The
functions behind the names live in ``retrigger.evaluation.scoring``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricName:
    name: str  # the canonical name, as logged on the retrain run
    greater_is_better: bool
    needs_scores: bool  # computed from probabilities (predict_proba), not labels


_CANONICAL = {
    "accuracy": MetricName("accuracy", True, False),
    "balanced_accuracy": MetricName("balanced_accuracy", True, False),
    "f1": MetricName("f1", True, False),
    "f1_macro": MetricName("f1_macro", True, False),
    "f1_weighted": MetricName("f1_weighted", True, False),
    "precision": MetricName("precision", True, False),
    "recall": MetricName("recall", True, False),
    "roc_auc": MetricName("roc_auc", True, True),
    "average_precision": MetricName("average_precision", True, True),
    "log_loss": MetricName("log_loss", False, True),
    "mae": MetricName("mae", False, False),
    "mse": MetricName("mse", False, False),
    "rmse": MetricName("rmse", False, False),
    "r2": MetricName("r2", True, False),
    "mape": MetricName("mape", False, False),
}

_ALIASES = {
    "acc": "accuracy",
    "auc": "roc_auc",
    "roc-auc": "roc_auc",
    "avg_prec": "average_precision",
    "logloss": "log_loss",
    "neg_log_loss": "log_loss",
    "cross_entropy": "log_loss",
    "mean_absolute_error": "mae",
    "mean_squared_error": "mse",
    "root_mean_squared_error": "rmse",
    "r2_score": "r2",
    "f1_score": "f1",
    "accuracy_score": "accuracy",
    "roc_auc_score": "roc_auc",
    "precision_score": "precision",
    "recall_score": "recall",
    "mean_absolute_percentage_error": "mape",
    "average_precision_score": "average_precision",
}


def resolve(name: str) -> MetricName | None:
    """The metric called ``name`` (case-insensitive, aliases and sklearn names), else None."""
    key = name.strip().lower()
    return _CANONICAL.get(_ALIASES.get(key, key))


def known() -> list[str]:
    return sorted(_CANONICAL)
