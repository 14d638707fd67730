"""The five streams of ``benchmarks/retrain_cost.py``: each a list of periods, each period the
rows added to the training data and the labelled rows the models are scored on there.

Four come from river's seeded generators (``pip install -e '.[bench]'``), built in process;
the fifth is NannyML's car-loan data, read from its wheel as data only (the wheel is fetched with
``pip download --no-deps`` by ``benchmarks/estimation.py``'s own code, never installed).

- ``sea``: SEA, abrupt drift: the concept (the variant's threshold) jumps at 1/4, 1/2, 3/4.
- ``agrawal``: ``ConceptDriftStream`` over Agrawal, gradual: functions 0 → 2 → 5, each change
  spread over a fifth of the stream.
- ``hyperplane``: Hyperplane, incremental: the plane turns a little at every row.
- ``friedman``: FriedmanDrift (regression, rmse), gradual drift at 1/3 and 2/3.
- ``carloan``: NannyML's synthetic car loan (reference + analysis with its targets, in time
  order) cut into time-ordered periods; each period's rows split 2:1 into training and
  validation rows by a seeded shuffle.
"""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

STREAMS = ("sea", "agrawal", "hyperplane", "friedman", "carloan")
SEED = 42


@dataclass(frozen=True)
class Stream:
    name: str
    drift: str  # in words, for the table
    metric: str  # accuracy, or rmse for the regression stream
    periods: tuple[tuple[pd.DataFrame, pd.DataFrame], ...]  # (training rows, validation rows)

    @property
    def greater_is_better(self) -> bool:
        return self.metric != "rmse"


def build(name: str, periods: int, train_rows: int, valid_rows: int) -> Stream:
    if name == "carloan":
        return car_loan(periods)
    per = train_rows + valid_rows
    total = periods * per
    rows = _river(name, total)
    frame = pd.DataFrame([{**x, "y": y} for x, y in itertools.islice(rows, total)])
    frame.columns = [str(c) for c in frame.columns]
    cut = tuple(
        (
            frame.iloc[p * per : p * per + train_rows].reset_index(drop=True),
            frame.iloc[p * per + train_rows : (p + 1) * per].reset_index(drop=True),
        )
        for p in range(periods)
    )
    drift, metric = DESCRIBED[name]
    return Stream(name, drift, metric, cut)


DESCRIBED = {
    "sea": ("abrupt (SEA)", "accuracy"),
    "agrawal": ("gradual (Agrawal, ConceptDriftStream)", "accuracy"),
    "hyperplane": ("incremental (Hyperplane)", "accuracy"),
    "friedman": ("gradual, regression (FriedmanDrift)", "rmse"),
    "carloan": ("NannyML car loan, time-ordered", "accuracy"),
}


def _river(name: str, total: int) -> Iterator[tuple[dict[str, Any], Any]]:
    from river.datasets import synth

    if name == "sea":
        return _abrupt(total)
    if name == "agrawal":
        width = max(1, total // 5)
        first = synth.ConceptDriftStream(
            synth.Agrawal(classification_function=0, seed=SEED),
            synth.Agrawal(classification_function=2, seed=SEED + 1),
            seed=SEED,
            position=total // 3,
            width=width,
        )
        return iter(
            synth.ConceptDriftStream(
                first,
                synth.Agrawal(classification_function=5, seed=SEED + 2),
                seed=SEED + 3,
                position=2 * total // 3,
                width=width,
            )
        )
    if name == "hyperplane":
        return iter(
            synth.Hyperplane(
                seed=SEED, n_features=10, n_drift_features=4, mag_change=0.002, sigma=0.1
            )
        )
    if name == "friedman":
        return iter(
            synth.FriedmanDrift(
                drift_type="gsg",
                position=(total // 3, 2 * total // 3),
                transition_window=max(1, total // 10),
                seed=SEED,
            )
        )
    raise ValueError(f"unknown stream {name!r}; one of {', '.join(STREAMS)}")


def _abrupt(total: int) -> Iterator[tuple[dict[str, Any], Any]]:
    """SEA's variants in turn, each a quarter of the stream: three abrupt changes."""
    from river.datasets import synth

    quarter = -(-total // 4)
    for variant in range(4):
        yield from itertools.islice(synth.SEA(variant=variant, seed=SEED + variant), quarter)


def car_loan(periods: int) -> Stream:
    from benchmarks.estimation import DATA, wheel

    with zipfile.ZipFile(wheel(_wheel_dir())) as archive:
        reference = pd.read_csv(archive.open(DATA + "synthetic_car_loan_reference.csv"))
        analysis = pd.read_csv(archive.open(DATA + "synthetic_car_loan_analysis.csv")).merge(
            pd.read_csv(archive.open(DATA + "synthetic_car_loan_analysis_target.csv")), on="id"
        )
    rows = pd.concat([reference, analysis], ignore_index=True)
    rows = rows.sort_values("timestamp", kind="stable").reset_index(drop=True)
    rows = rows.drop(
        columns=["id", "timestamp", "y_pred", "y_pred_proba", "period"], errors="ignore"
    )
    rows = rows.rename(columns={"repaid": "y"})
    rng = np.random.default_rng(SEED)
    cut = []
    for chunk in np.array_split(np.arange(len(rows)), periods):
        shuffled = rng.permutation(chunk)
        split = len(shuffled) * 2 // 3
        cut.append(
            (
                rows.iloc[np.sort(shuffled[:split])].reset_index(drop=True),
                rows.iloc[np.sort(shuffled[split:])].reset_index(drop=True),
            )
        )
    drift, metric = DESCRIBED["carloan"]
    return Stream("carloan", drift, metric, tuple(cut))


def _wheel_dir() -> Path:
    folder = Path.home() / ".cache" / "retrigger-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
