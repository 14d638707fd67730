"""Label-free estimation against the realised metric, on NannyML's published datasets.

NannyML ships labelled, time-stamped data inside its wheel. The wheel is fetched with
``pip download --no-deps`` as a data source only (never installed, never imported), and the
files read from the zip: the car-loan set (binary), the credit-card set (multiclass) and the
synthetic car-price set (regression). Their models are given by their predictions
(``y_pred_proba*`` / ``y_pred`` columns), so a small adapter plays the champion.

The analysis rows are cut into time-ordered chunks of 5,000 rows; each chunk's metric is
estimated with retrigger's CBPE / DLE from the reference, and compared with the metric its
labels give. One run, a table: per dataset and metric, the mean and max absolute error, the
share of chunks whose realised value lies in the 95 % interval, and the chunks refused.

    .venv/bin/python benchmarks/estimation.py [--chunks 10] [--wheel-dir DIR]

Goals (issue 24): MAE ≤ 0.01 per chunk for accuracy / ROC AUC on the classification sets,
coverage ≥ 90 %; the regression set's error is stated.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrigger.estimation import classifier, dle  # noqa: E402
from retrigger.estimation.classifier import CannotEstimate, Limits  # noqa: E402

WHEEL = "nannyml==0.13.1"
DATA = "nannyml/datasets/data/"
CHUNK = 5000
LIMITS = Limits(max_calibration_error=0.05, max_outside=0.1)


@dataclass(frozen=True)
class Dataset:
    kind: str  # binary, multiclass or regression (``--sets``)
    name: str
    reference: str
    analysis: str
    targets: str
    target: str
    metrics: tuple[str, ...]
    proba: tuple[str, ...]  # probability columns in class order; () for a regressor
    classes: tuple[Any, ...]


SETS = (
    Dataset(
        "binary",
        "car loan",
        "synthetic_car_loan_reference.csv",
        "synthetic_car_loan_analysis.csv",
        "synthetic_car_loan_analysis_target.csv",
        "repaid",
        ("accuracy", "roc_auc", "f1"),
        ("y_pred_proba",),
        (0, 1),
    ),
    Dataset(
        "multiclass",
        "credit card",
        "mc_reference.csv",
        "mc_analysis.csv",
        "mc_analysis_gt.csv",
        "y_true",
        ("accuracy", "f1_macro", "roc_auc"),
        (
            "y_pred_proba_highstreet_card",
            "y_pred_proba_prepaid_card",
            "y_pred_proba_upmarket_card",
        ),
        ("highstreet_card", "prepaid_card", "upmarket_card"),
    ),
    Dataset(
        "regression",
        "car price",
        "regression_synthetic_reference.csv",
        "regression_synthetic_analysis.csv",
        "regression_synthetic_analysis_targets.csv",
        "y_true",
        ("mae", "rmse"),
        (),
        (),
    ),
)
_NOT_FEATURES = {"id", "timestamp", "y_pred", "y_true", "repaid"}


class GivenPredictions:
    """A champion whose predictions are columns of the rows it is asked about."""

    def __init__(self, proba: tuple[str, ...], classes: tuple[Any, ...]) -> None:
        self.proba, self.classes_ = proba, list(classes)

    def predict_proba(self, frame: Any) -> Any:
        if len(self.proba) == 1:
            positive = frame[self.proba[0]].to_numpy(dtype=float)
            return np.c_[1 - positive, positive]
        return frame[list(self.proba)].to_numpy(dtype=float)

    def predict(self, frame: Any) -> Any:
        if self.proba:
            return np.asarray(self.classes_)[self.predict_proba(frame).argmax(axis=1)]
        return frame["y_pred"].to_numpy(dtype=float)


def wheel(folder: Path) -> Path:
    found = sorted(folder.glob("nannyml-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", WHEEL, "-d", str(folder)],
            check=True,
        )
        found = sorted(folder.glob("nannyml-*.whl"))
    return found[-1]


def read(archive: zipfile.ZipFile, name: str) -> Any:
    return pd.read_csv(io.BytesIO(archive.read(DATA + name)))


def realised(metric: str, model: GivenPredictions, frame: Any, truth: Any) -> float:
    from sklearn import metrics as sk

    if metric == "roc_auc":
        scores = model.predict_proba(frame)
        if scores.shape[1] == 2:
            return float(sk.roc_auc_score(truth, scores[:, 1]))
        return float(sk.roc_auc_score(truth, scores, multi_class="ovr", labels=model.classes_))
    predicted = model.predict(frame)
    if metric == "mae":
        return float(np.abs(truth - predicted).mean())
    if metric == "rmse":
        return float(np.sqrt(((truth - predicted) ** 2).mean()))
    if metric == "accuracy":
        return float((predicted == truth).mean())
    average = "macro" if metric == "f1_macro" else "binary"
    return float(sk.f1_score(truth, predicted, average=average))


def features(frame: Any, proba: tuple[str, ...]) -> Any:
    """What the estimators see: the features, and the columns the given predictions are read
    from (the probabilities; a regressor's ``y_pred``)."""
    keep = set() if proba else {"y_pred"}
    return frame.drop(columns=[c for c in frame.columns if c in _NOT_FEATURES - keep])


def run(dataset: Dataset, archive: zipfile.ZipFile, chunks: int) -> list[str]:
    reference = read(archive, dataset.reference)
    analysis = read(archive, dataset.analysis).merge(read(archive, dataset.targets), on="id")
    analysis = analysis.sort_values("timestamp", kind="stable")
    model = GivenPredictions(dataset.proba, dataset.classes)
    ref_features = features(reference, dataset.proba)
    lines = []
    for metric in dataset.metrics:
        errors, relative, inside, refused = [], [], 0, []
        started = time.perf_counter()
        for start in range(0, min(len(analysis), chunks * CHUNK), CHUNK):
            chunk = analysis.iloc[start : start + CHUNK]
            new = features(chunk, dataset.proba)
            estimator = dle if metric in dle.ESTIMABLE else classifier
            try:
                found = estimator.estimate(  # type: ignore[attr-defined]
                    model, ref_features, reference[dataset.target], new, metric, LIMITS
                )
            except CannotEstimate as exc:
                refused.append(str(exc))
                continue
            truth = realised(metric, model, chunk, chunk[dataset.target].to_numpy())
            errors.append(abs(found.interval.value - truth))
            relative.append(errors[-1] / abs(truth))
            inside += found.interval.low <= truth <= found.interval.high
        seconds = time.perf_counter() - started
        done = len(errors)
        mean, most = (f"{np.mean(errors):.4g}", f"{np.max(errors):.4g}") if errors else ("-", "-")
        share = f"{np.mean(relative):.2%}" if relative else "-"
        why = f" ({refused[0]})" if refused else ""
        lines.append(
            f"| {dataset.name} ({dataset.kind}) | {metric} | {done} | {mean} | {most} | {share} "
            f"| {inside / max(done, 1):.0%} | {len(refused)}{why} | {seconds:.0f} s |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=10, help="chunks of 5,000 rows per set")
    parser.add_argument("--wheel-dir", type=Path, default=Path("/tmp/retrigger-bench-nannyml"))
    parser.add_argument(
        "--sets", default="binary,multiclass,regression", help="which datasets, comma-separated"
    )
    args = parser.parse_args()
    args.wheel_dir.mkdir(parents=True, exist_ok=True)
    archive = zipfile.ZipFile(wheel(args.wheel_dir))
    print(
        "| dataset | metric | chunks | mean abs error | max abs error | mean relative error "
        "| coverage | refused | time |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    wanted = set(args.sets.split(","))
    for dataset in (d for d in SETS if d.kind in wanted):
        for line in run(dataset, archive, args.chunks):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
