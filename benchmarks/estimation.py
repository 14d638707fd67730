"""Label-free estimation against the realised metric, on NannyML's published datasets.

NannyML ships labelled, time-stamped data inside its wheel. The wheel is fetched with
``pip download --no-deps`` as a data source only (never installed, never imported), and the
files read from the zip: the labelled sets among them — car loans, work from home, California
housing and the US census employment set (binary), credit cards (multiclass) and car prices
(regression). Their models are given by their predictions (probability / prediction columns),
so a small adapter plays the champion.

The analysis rows are cut into time-ordered chunks of 5,000 rows; each chunk's metric is
estimated with retrigger's CBPE / DLE from the reference, and compared with the metric its
labels give. One run, a table: per dataset and metric, the mean and max absolute error, the
share of chunks whose realised value lies in the 95 % interval, and the chunks refused.

With ``--nannyml`` and a throwaway venv at ``/tmp/nannyml-venv``, NannyML's own CBPE / DLE
estimates the same chunks in a subprocess (``estimation_nannyml.py``, which says how to make
the venv) and its errors stand beside ours. DLE's loss models are fitted once per set and
metric and shared by the chunks, as ``check`` does through ``.retrigger/estimation/``; the last
line times refitting per call against sharing, side by side on the same chunks.

    .venv/bin/python benchmarks/estimation.py [--chunks 10] [--nannyml] [--sets binary,...]

Goals (issue 24): MAE ≤ 0.01 per chunk for accuracy / ROC AUC on the classification sets,
coverage ≥ 90 %; the regression set's error is stated.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
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
NANNYML_VENV = Path("/tmp/nannyml-venv/bin/python")  # throwaway: never a dependency


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
    pred: str = "y_pred"  # the model's prediction column
    time: str = "timestamp"  # what orders the rows in time
    extra: tuple[str, ...] = ()  # other columns that are no features (bookkeeping)


def _binary(name: str, stem: str, target: str, **more: Any) -> Dataset:
    """A binary set named like NannyML's files: ``STEM_reference.csv``, ``STEM_analysis.csv``."""
    targets = more.pop("targets", f"{stem}_analysis_gt.csv")
    suffix = more.pop("suffix", ".csv")
    return Dataset(
        "binary",
        name,
        f"{stem}_reference{suffix}",
        f"{stem}_analysis{suffix}",
        targets,
        target,
        ("accuracy", "roc_auc", "f1"),
        (more.pop("proba", "y_pred_proba"),),
        (0, 1),
        **more,
    )


SETS = (
    _binary(
        "car loan",
        "synthetic_car_loan",
        "repaid",
        targets="synthetic_car_loan_analysis_target.csv",
    ),
    _binary("work from home", "synthetic_sample", "work_home_actual", extra=("period",)),
    _binary("California housing", "california_housing", "clf_target"),
    _binary(
        "US census employment (MA)",
        "employment_MA",
        "employed",
        targets="employment_MA_analysis_target.pq",
        suffix=".pq",
        proba="predicted_probability",
        pred="prediction",
        time="year",
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


class GivenPredictions:
    """A champion whose predictions are columns of the rows it is asked about."""

    def __init__(self, dataset: Dataset, given: bool = False) -> None:
        self.proba, self.classes_, self.pred = dataset.proba, list(dataset.classes), dataset.pred
        # given: the set's own prediction column; else the most probable class, as a champion
        # with ``predict_proba`` predicts (the two differ on a few rows of NannyML's sets).
        self.given = given or not dataset.proba

    def predict_proba(self, frame: Any) -> Any:
        if len(self.proba) == 1:
            positive = frame[self.proba[0]].to_numpy(dtype=float)
            return np.c_[1 - positive, positive]
        return frame[list(self.proba)].to_numpy(dtype=float)

    def predict(self, frame: Any) -> Any:
        if self.given:
            column = frame[self.pred]
            return column.to_numpy(dtype=float) if not self.proba else column.to_numpy()
        return np.asarray(self.classes_)[self.predict_proba(frame).argmax(axis=1)]


@dataclass
class Tally:
    """One metric's chunks: absolute errors, relative errors, how many inside, refusals."""

    errors: list[float] = field(default_factory=list)
    relative: list[float] = field(default_factory=list)
    inside: int = 0
    refused: list[str] = field(default_factory=list)

    def add(self, value: float, low: float, high: float, truth: float) -> None:
        self.errors.append(abs(value - truth))
        self.relative.append(self.errors[-1] / abs(truth))
        self.inside += low <= truth <= high

    def cells(self) -> list[str]:
        if not self.errors:
            return ["-", "-", "-", "-"]
        return [
            f"{np.mean(self.errors):.4g}",
            f"{np.max(self.errors):.4g}",
            f"{np.mean(self.relative):.2%}",
            f"{self.inside}/{len(self.errors)} ({self.inside / len(self.errors):.0%})",
        ]


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
    raw = io.BytesIO(archive.read(DATA + name))
    return pd.read_parquet(raw) if name.endswith(".pq") else pd.read_csv(raw)


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


def features(frame: Any, dataset: Dataset) -> Any:
    """What the estimators see: the features, and the columns the given predictions are read
    from (the probabilities; a regressor's prediction)."""
    dropped = {"id", dataset.time, dataset.target, *dataset.extra}
    dropped |= {dataset.pred} if dataset.proba else set()
    return frame.drop(columns=[c for c in frame.columns if c in dropped])


def chunks(analysis: Any, count: int) -> list[Any]:
    """The first ``count`` chunks of 5,000 rows in time order (the last may be shorter when
    the set ends)."""
    end = min(len(analysis), count * CHUNK)
    return [analysis.iloc[start : start + CHUNK] for start in range(0, end, CHUNK)]


def run(dataset: Dataset, archive: zipfile.ZipFile, count: int, nanny: dict[str, Any]) -> list[str]:
    reference = read(archive, dataset.reference)
    analysis = read(archive, dataset.analysis).merge(read(archive, dataset.targets), on="id")
    parts = chunks(analysis.sort_values(dataset.time, kind="stable"), count)
    model = GivenPredictions(dataset)
    ref_features, labels = features(reference, dataset), reference[dataset.target]
    lines = []
    for metric in dataset.metrics:
        tally, started = Tally(), time.perf_counter()
        fitted = None
        if metric in dle.ESTIMABLE:  # the loss models, fitted once and shared by the chunks
            fitted = dle.fit(model, ref_features, labels, metric)
        for chunk in parts:
            new = features(chunk, dataset)
            try:
                if fitted is not None:
                    found: Any = dle.estimate(
                        model, ref_features, labels, new, metric, LIMITS, fitted
                    )
                else:
                    found = classifier.estimate(model, ref_features, labels, new, metric, LIMITS)
            except CannotEstimate as exc:
                tally.refused.append(str(exc))
                continue
            truth = realised(metric, model, chunk, chunk[dataset.target].to_numpy())
            tally.add(found.interval.value, found.interval.low, found.interval.high, truth)
        seconds = time.perf_counter() - started
        theirs = _nannyml_cells(nanny.get(metric), parts, dataset, metric)
        why = f" ({tally.refused[0]})" if tally.refused else ""
        lines.append(
            f"| {dataset.name} ({dataset.kind}) | {metric} | {len(tally.errors)} | "
            f"{' | '.join(tally.cells())} | {len(tally.refused)}{why} | {seconds:.0f} s | "
            f"{' | '.join(theirs)} |"
        )
    return lines


def _nannyml_cells(
    found: list[dict[str, float]] | None,
    parts: list[Any],
    dataset: Dataset,
    metric: str,
) -> list[str]:
    """NannyML's estimates of the same chunks against the realised metric of the predictions
    it estimates (the set's prediction column); its band read as a 95 % interval (value ±
    1.96 sampling errors) for the coverage."""
    if not found:
        return ["-", "-", "-"]
    tally, model = Tally(), GivenPredictions(dataset, given=True)
    for chunk, theirs in zip(parts, found, strict=False):
        truth = realised(metric, model, chunk, chunk[dataset.target].to_numpy())
        half = 1.96 * theirs["sampling_error"]
        tally.add(theirs["value"], theirs["value"] - half, theirs["value"] + half, truth)
    mean, most, _, coverage = tally.cells()
    return [mean, most, coverage]


def nannyml(
    python: Path | None, dataset: Dataset, archive: Path, count: int
) -> dict[str, list[dict[str, float]]]:
    """NannyML's own estimates of the same chunks, from its throwaway venv (empty without)."""
    if python is None:
        return {}
    names = {m: NANNYML_NAMES.get(m, m) for m in dataset.metrics}
    proba: Any = (
        dataset.proba[0]
        if len(dataset.proba) == 1
        else dict(zip(dataset.classes, dataset.proba, strict=True))
    )
    job = {
        "wheel": str(archive),
        "reference": dataset.reference,
        "analysis": dataset.analysis,
        "targets": dataset.targets,
        "sort": dataset.time,
        "rows": count * CHUNK,
        "problem": {
            "binary": "classification_binary",
            "multiclass": "classification_multiclass",
        }.get(dataset.kind, "regression"),
        "y_pred_proba": proba,
        "y_pred": dataset.pred,
        "y_true": dataset.target,
        "metrics": sorted(set(names.values())),
        "chunk": CHUNK,
        "features": [c for c in NANNYML_FEATURES.get(dataset.name, ())],
    }
    script = Path(__file__).with_name("estimation_nannyml.py")
    quiet = {**os.environ, "NML_DISABLE_USAGE_LOGGING": "1"}  # NannyML's telemetry: off
    done = subprocess.run(
        [str(python), str(script)], input=json.dumps(job), capture_output=True, text=True, env=quiet
    )
    if done.returncode != 0:
        print(f"NannyML failed on {dataset.name}: {done.stderr.strip()[-300:]}", file=sys.stderr)
        return {}
    by_name = json.loads(done.stdout.strip().splitlines()[-1])  # LightGBM prints above it
    return {ours: by_name[theirs] for ours, theirs in names.items() if theirs in by_name}


NANNYML_NAMES = {"f1_macro": "f1"}  # NannyML's multiclass F1 is the macro average
NANNYML_FEATURES = {
    "car price": (
        "car_age",
        "km_driven",
        "price_new",
        "accident_count",
        "door_count",
        "fuel",
        "transmission",
    )
}


def refit_against_shared(archive: zipfile.ZipFile, count: int) -> str:
    """DLE's time per chunk when each call refits its five loss models (before) against the
    loss models fitted once and shared (after), side by side on the same chunks."""
    dataset = next(d for d in SETS if d.kind == "regression")
    reference = read(archive, dataset.reference)
    analysis = read(archive, dataset.analysis).sort_values(dataset.time, kind="stable")
    model = GivenPredictions(dataset)
    ref_features, labels = features(reference, dataset), reference[dataset.target]
    news = [features(chunk, dataset) for chunk in chunks(analysis, count)]
    started = time.perf_counter()
    before = [dle.estimate(model, ref_features, labels, n, "mae", LIMITS) for n in news]
    refit = time.perf_counter() - started
    started = time.perf_counter()
    fitted = dle.fit(model, ref_features, labels, "mae")
    fit = time.perf_counter() - started
    started = time.perf_counter()
    after = [dle.estimate(model, ref_features, labels, n, "mae", LIMITS, fitted) for n in news]
    shared = time.perf_counter() - started
    same = all(b.interval == a.interval for b, a in zip(before, after, strict=True))
    return (
        f"DLE (car price, mae), {len(news)} chunks: refitting per call {refit / len(news):.1f} s "
        f"a chunk; shared loss models {shared / len(news):.2f} s a chunk after one fit of "
        f"{fit:.1f} s ({refit / (fit + shared):.1f}x faster over these chunks, "
        f"{refit / max(shared, 1e-9):.0f}x per chunk once fitted); same estimates: {same}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=10, help="chunks of 5,000 rows per set")
    parser.add_argument("--wheel-dir", type=Path, default=Path("/tmp/retrigger-bench-nannyml"))
    parser.add_argument(
        "--sets", default="binary,multiclass,regression", help="which datasets, comma-separated"
    )
    parser.add_argument(
        "--nannyml",
        action="store_true",
        help=f"NannyML's own estimate beside ours, from {NANNYML_VENV} when it exists",
    )
    parser.add_argument(
        "--refit-chunks", type=int, default=2, help="chunks timed refitting DLE per call (0: off)"
    )
    args = parser.parse_args()
    args.wheel_dir.mkdir(parents=True, exist_ok=True)
    path = wheel(args.wheel_dir)
    archive = zipfile.ZipFile(path)
    python = NANNYML_VENV if args.nannyml and NANNYML_VENV.exists() else None
    if args.nannyml and python is None:
        print(f"no {NANNYML_VENV}: NannyML's columns stay empty", file=sys.stderr)
    print(
        "| dataset | metric | chunks | mean abs error | max abs error | mean relative error "
        "| 95 % coverage | refused | time | NannyML mean abs error | NannyML max "
        "| NannyML coverage (±1.96 s.e.) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    wanted = set(args.sets.split(","))
    for dataset in (d for d in SETS if d.kind in wanted):
        theirs = nannyml(python, dataset, path, args.chunks)
        for line in run(dataset, archive, args.chunks, theirs):
            print(line, flush=True)
    if "regression" in wanted and args.refit_chunks > 0:
        print()
        print(refit_against_shared(archive, args.refit_chunks))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
