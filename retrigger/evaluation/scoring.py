"""Score a model on the labelled validation rows: the same rows for champion and challenger.

The model is loaded with ``mlflow.pyfunc`` (what serving code does) and predicts on the rows
without the target column. Metrics that need class probabilities (roc_auc, log_loss,
average_precision) use the underlying model's ``predict_proba`` when the flavor exposes it.
mlflow, pandas and sklearn are imported inside the functions: the config check that shares
this module's header reader runs in git hooks.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrigger.config.metrics import MetricName
from retrigger.config.models import ValidationConfig
from retrigger.data.odb import file_md5
from retrigger.errors import BadInput, WorkFailed
from retrigger.evaluation.missing import missing_message, missing_module

SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True)
class Labelled:
    """The validation rows: features, labels, and which file version they came from."""

    path: str
    md5: str
    features: Any  # a pandas DataFrame
    labels: Any  # a pandas Series
    rows: int


def columns_of(root: Path, validation: ValidationConfig) -> list[str]:
    """The column names of ``validation.data`` (header or Parquet schema only); BadInput when
    the file is missing, unreadable, of another format, or has no ``target`` column."""
    # The config sets data and target together; callers come here only when data is set.
    assert validation.data is not None and validation.target is not None
    path = root / validation.data
    where = f"validation.data {validation.data}"
    if not path.is_file():
        raise BadInput(
            f"{where} does not exist; write it (a pipeline output or a DVC-tracked "
            "file) or fix validation.data"
        )
    if path.suffix.lower() not in SUFFIXES:
        raise BadInput(f"{where} is not a .csv or .parquet file; point validation.data at one")
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                names = next(csv.reader(handle), [])
        else:
            import pyarrow.parquet as pq

            names = list(pq.read_schema(path).names)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"{where} cannot be read ({str(exc)[:120]}); fix the file") from None
    if validation.target not in names:
        raise BadInput(
            f"{where} has no column {validation.target!r} (columns: "
            f"{', '.join(names[:12]) or 'none'}); fix validation.target"
        )
    return names


def read_labelled(root: Path, validation: ValidationConfig) -> Labelled:
    import pandas as pd

    columns_of(root, validation)
    assert validation.data is not None and validation.target is not None
    path = root / validation.data
    try:
        frame = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise BadInput(
            f"validation.data {validation.data} cannot be read ({str(exc)[:120]})"
        ) from None
    if frame.empty:
        raise BadInput(f"validation.data {validation.data} has no rows; score on labelled rows")
    return Labelled(
        validation.data,
        file_md5(path),
        frame.drop(columns=[validation.target]),
        frame[validation.target],
        len(frame),
    )


def load(uri: str, tracking_uri: str) -> Any:
    """A pyfunc model from ``uri`` (models:/…, runs:/…, or a local folder); WorkFailed when it
    cannot be loaded, with MLflow's reason."""
    import mlflow

    # pyfunc resolves models:/ through the global tracking URI. The registry URI is left unset
    # on purpose: a global one would override every MlflowClient(tracking_uri=...) after it.
    mlflow.set_tracking_uri(tracking_uri)
    try:
        with no_progress_bars():
            return mlflow.pyfunc.load_model(uri)
    except Exception as exc:  # MlflowException, a missing MLmodel, an unpicklable object...
        module = missing_module(exc)
        if module is not None:
            raise WorkFailed(missing_message(module, uri)) from None
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise WorkFailed(f"cannot load {uri} with mlflow.pyfunc: {first[:200]}") from None


@contextmanager
def no_progress_bars() -> Iterator[None]:
    """MLflow draws a "Downloading artifacts" bar per model it loads: noise in a CI log and in
    the retrain's output. Off while we load, unless the user set MLflow's own switch."""
    key = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
    if key in os.environ:
        yield
        return
    os.environ[key] = "false"
    try:
        yield
    finally:
        os.environ.pop(key, None)


def score(model: Any, data: Labelled, metric: MetricName) -> float:
    """``metric`` of ``model`` on ``data``; WorkFailed when the model cannot predict on it."""
    try:
        if metric.needs_scores:
            value = _from_scores(metric.name, data.labels, _scores(model, data.features))
        else:
            value = _from_labels(metric.name, data.labels, model.predict(data.features))
    except WorkFailed:
        raise
    except Exception as exc:  # a column the model expects is missing, a dtype mismatch...
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise WorkFailed(
            f"the model cannot predict on validation.data {data.path}: {first[:200]}"
        ) from None
    if not math.isfinite(value):
        raise WorkFailed(f"{metric.name} on validation.data {data.path} is {value}")
    return value


def _scores(model: Any, features: Any) -> Any:
    import numpy as np

    raw = None
    try:
        raw = model.get_raw_model()
    except Exception:  # a flavor without a raw model: its pyfunc output is all there is
        raw = None
    if raw is not None and hasattr(raw, "predict_proba"):
        return np.asarray(raw.predict_proba(features))
    predicted = np.asarray(model.predict(features), dtype=float)
    return predicted


def _from_labels(name: str, truth: Any, predicted: Any) -> float:
    from sklearn import metrics as m

    binary = set(truth.unique()) <= {0, 1}  # bools compare equal to 0 and 1
    average = "binary" if binary else "macro"
    table: dict[str, Callable[[], Any]] = {
        "accuracy": lambda: m.accuracy_score(truth, predicted),
        "balanced_accuracy": lambda: m.balanced_accuracy_score(truth, predicted),
        "f1": lambda: m.f1_score(truth, predicted, average=average),
        "f1_macro": lambda: m.f1_score(truth, predicted, average="macro"),
        "f1_weighted": lambda: m.f1_score(truth, predicted, average="weighted"),
        "precision": lambda: m.precision_score(truth, predicted, average=average, zero_division=0),
        "recall": lambda: m.recall_score(truth, predicted, average=average, zero_division=0),
        "mae": lambda: m.mean_absolute_error(truth, predicted),
        "mse": lambda: m.mean_squared_error(truth, predicted),
        "rmse": lambda: math.sqrt(m.mean_squared_error(truth, predicted)),
        "r2": lambda: m.r2_score(truth, predicted),
        "mape": lambda: m.mean_absolute_percentage_error(truth, predicted),
    }
    return float(table[name]())


def _from_scores(name: str, truth: Any, scores: Any) -> float:
    from sklearn import metrics as m

    two_d = scores.ndim == 2
    if name == "log_loss":
        if not two_d:
            raise WorkFailed(
                "log_loss needs class probabilities; the model has no "
                "predict_proba: use another validation.metric"
            )
        return float(m.log_loss(truth, scores))
    positive = scores[:, 1] if two_d and scores.shape[1] == 2 else scores
    if name == "roc_auc":
        multi = two_d and scores.shape[1] > 2
        return float(m.roc_auc_score(truth, positive, multi_class="ovr" if multi else "raise"))
    return float(m.average_precision_score(truth, positive))
