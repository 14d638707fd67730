"""Whether ``init`` proposes ``signals.performance.source: estimated``: the metric estimated
without labels (docs/label-free.md) when nothing says labelled rows arrive after training.

Decided from what the project says, never by loading its model (init stays fast): the
metric's name (a classifier's accuracy/F1/AUC → CBPE, a regressor's MAE/RMSE → DLE), else the
scikit-learn estimator its code builds; no proposal when labelled validation data exists (an
evaluate stage, ``validation:``) or the data's names say labels arrive (labels, feedback, …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from retrigger.config import metrics
from retrigger.scaffold import code
from retrigger.scaffold.measured import Choice

CBPE = ("accuracy", "precision", "recall", "f1", "f1_macro", "roc_auc")
DLE = ("mae", "mse", "rmse")
WHY = (
    "no labelled rows arrive after training: estimate the metric without labels — see "
    "docs/label-free.md"
)
_CLASSIFIER_METRICS = {*CBPE, "balanced_accuracy", "f1_weighted", "average_precision", "log_loss"}
_REGRESSOR_METRICS = {*DLE, "r2", "mape"}
_CLASSIFIER = re.compile(r"\b(\w+Classifier|LogisticRegression\w*|\w*SVC|\w+NB|Perceptron)\s*\(")
_REGRESSOR = re.compile(r"\b(\w+Regressor|LinearRegression|Ridge|Lasso|ElasticNet|\w*SVR)\s*\(")
# scikit-learn classifiers without predict_proba: CBPE has no probabilities to add up.
_NO_PROBA = {"LinearSVC", "RidgeClassifier", "Perceptron", "PassiveAggressiveClassifier"}
# Names of files that hold labels arriving after training (a labelled stream: no estimate needed).
_STREAM = ("labels", "feedback", "truth", "actuals", "outcomes")
_REFERENCE = ("test", "val", "valid", "validation", "holdout", "reference", "ref", "eval")
_NEW = ("new", "incoming", "prod", "production", "live", "inference", "scoring", "unlabelled")
_TABLES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True)
class Proposal:
    method: str  # "cbpe" for a classifier, "dle" for a regressor
    metric: str  # the metric to estimate: model.metric's own name, else the method's first
    data: str  # new, unlabelled rows: a file of the project, or a placeholder
    reference: str  # labelled rows the model did not train on, or a placeholder
    why: str  # where the model's kind was read, in words


def propose(
    root: Path, metric_keys: Iterable[str], chosen: Choice, validated: bool, files: set[str]
) -> tuple[Proposal | None, str | None]:
    """The proposal, or None; and the one ``found`` line that says why (or why not).
    ``validated``: the project scores its model on labelled held-out data already."""
    if validated or any(set(_words(f)) & set(_STREAM) for f in files):
        return None, None
    kind = _kind_from_metrics(chosen, metric_keys) or _kind_from_code(root)
    if kind is None:
        return None, None
    method, why = kind
    if method == "none":
        return None, f"no labels after training, but {why}: label-free estimation needs it"
    names = CBPE if method == "cbpe" else DLE
    own = _resolved(chosen) if isinstance(chosen, str) else None
    estimable = own if own is not None and own in names else names[0]
    tables = sorted(f for f in files if f.endswith(_TABLES))
    reference = _named(tables, _REFERENCE) or "data/reference.csv"
    data = _named([t for t in tables if t != reference], _NEW) or "data/new.csv"
    return Proposal(method, estimable, data, reference, why), f"{WHY} ({why})"


def _kind_from_metrics(chosen: Choice, keys: Iterable[str]) -> tuple[str, str] | None:
    """The model's kind from the metric init chose, else any metric the project records."""
    ordered = [chosen] if isinstance(chosen, str) else []
    for key in [*ordered, *keys]:
        name = _resolved(key)
        if name in _CLASSIFIER_METRICS:
            return "cbpe", f"{key} is a classifier's metric"
        if name in _REGRESSOR_METRICS:
            return "dle", f"{key} is a regressor's metric"
    return None


def _kind_from_code(root: Path) -> tuple[str, str] | None:
    for path in code.project_files(root):
        if path.suffix != ".py":
            continue
        text = _text(path)
        where = path.relative_to(root).as_posix()
        built = _CLASSIFIER.search(text)
        if built is not None:
            name = built.group(1)
            # SVC and NuSVC give probabilities only when built with probability=True
            svc = name.endswith("SVC") and "probability=True" not in text
            if name in _NO_PROBA or svc:
                return "none", f"{name} in {where} has no predict_proba"
            return "cbpe", f"{where} builds a {name}"
        built = _REGRESSOR.search(text)
        if built is not None:
            return "dle", f"{where} builds a {built.group(1)}"
    return None


def _resolved(key: str) -> str | None:
    """``roc_auc.test`` → roc_auc, ``test_accuracy`` → accuracy: a known name in the key."""
    for part in key.split("."):
        found = metrics.resolve(part)
        if found is not None:
            return found.name
        for word in _words(part):
            found = metrics.resolve(word)
            if found is not None:
                return found.name
    return None


def _named(paths: list[str], words: tuple[str, ...]) -> str | None:
    return next((p for p in paths if set(_words(Path(p).name)) & set(words)), None)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
