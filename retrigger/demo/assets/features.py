"""Demo feature handling shared by train.py and monitor.py."""

import csv
from pathlib import Path

import numpy as np

CONTRACTS = ("monthly", "yearly", "two-year")


def load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    rows = list(csv.DictReader(path.open(newline="")))
    features = np.array([
        [float(r["tenure"]), float(r["monthly_charges"]), float(r["support_calls"]),
         float(r["has_partner"]), *(1.0 if r["contract"] == c else 0.0 for c in CONTRACTS)]
        for r in rows
    ])
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    return (features - features.mean(axis=0)) / scale, np.array([int(r["churn"]) for r in rows])


def holdout_split(features: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, ...]:
    # Newest rows are the holdout: they stand for production traffic.
    cut = int(len(labels) * 0.8)
    return features[:cut], labels[:cut], features[cut:], labels[cut:]
