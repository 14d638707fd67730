"""Synthetic churn data for the demo: a stable version, then a shifted one."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

COLUMNS = ("tenure", "monthly_charges", "support_calls", "contract", "has_partner", "churn")


def rows(count: int, seed: int, shifted: bool) -> list[tuple[object, ...]]:
    """``shifted`` moves prices and contracts and changes what drives churn (concept drift)."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, count)
    charges = rng.normal(95 if shifted else 65, 20, count).round(2)
    calls = rng.poisson(4 if shifted else 2, count)
    contract = rng.choice(
        ["monthly", "yearly", "two-year"],
        count,
        p=[0.7, 0.2, 0.1] if shifted else [0.45, 0.35, 0.2],
    )
    partner = rng.integers(0, 2, count)
    monthly = (contract == "monthly").astype(float)
    logit = -0.15 * (tenure - 36) + 1.8 * (calls - 2) + 3 * monthly - 1.5
    if shifted:  # customers now also leave over price, and support calls matter less
        logit += 0.25 * (charges - 95) - 1.2 * (calls - 4) + 2
    churn = (rng.random(count) < 1 / (1 + np.exp(-logit))).astype(int)
    return list(
        zip(
            tenure.tolist(),
            charges.tolist(),
            calls.tolist(),
            contract.tolist(),
            partner.tolist(),
            churn.tolist(),
            strict=True,
        )
    )


def write_csv(path: Path, table: list[tuple[object, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(table)
