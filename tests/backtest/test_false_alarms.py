"""The drift signal's false alarms, measured by resampling one data version against itself:
the calibrated mode stays within its 5 %, the compatible mode's chi-squared does not, and
``persist: k/m`` is applied as P(at least k of m)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

from retrigger.backtest.false_alarms import Cadence, FalseAlarms, cadence, persisted
from retrigger.backtest.resampled import fired_on_resamples
from retrigger.config.models import DriftSignalConfig
from retrigger.drift.io import Table
from tests.support.cli import run_cli

SIX = np.array(["a", "b", "c", "d", "e", "f"])


def stationary(path: Path, rows: int, numeric: bool = True) -> Table:
    """Rows drawn from one distribution: any drift verdict on them is a false alarm."""
    rng = np.random.default_rng(7)
    columns = {"plan": SIX[rng.integers(0, 6, rows)]}
    if numeric:
        columns["charges"] = rng.normal(50, 10, rows)
        columns["churn"] = rng.integers(0, 2, rows)
    pq.write_table(pa.table(columns), path)
    return Table([(path, path.name)], "trained")


def test_calibrated_mode_stays_within_five_percent_on_stationary_rows(tmp_path: Path) -> None:
    settings = DriftSignalConfig(mode="calibrated", bootstrap=200)

    with stationary(tmp_path / "train.parquet", 2000) as table:
        found = fired_on_resamples({"train.parquet": table}, settings, None, resamples=40)

    measured = result(found.fired, found.resamples)
    _, low, high = measured.per_check
    assert (found.reference_rows, found.current_rows) == (1000, 1000)
    assert low <= 0.05, f"{found.fired}/{found.resamples} fired: [{low:.3f}, {high:.3f}]"


def test_compatible_mode_chi_squared_false_alarms_on_a_six_valued_column(tmp_path: Path) -> None:
    # Evidently's chi-squared takes the reference's shares as known: with two halves of one
    # sample the statistic is about (1 + n_cur / n_ref) = 2 times a chi-squared with 5 degrees
    # of freedom, so it passes the 5 % critical value with probability P(X_5 > c / 2).
    expected = float(stats.chi2.sf(stats.chi2.ppf(0.95, 5) / 2, 5))
    settings = DriftSignalConfig()

    with stationary(tmp_path / "train.parquet", 1000, numeric=False) as table:
        found = fired_on_resamples({"train.parquet": table}, settings, None, resamples=60)

    rate, low, high = result(found.fired, found.resamples).per_check
    assert low > 0.05, f"{found.fired}/{found.resamples}: the compatible mode looked calibrated"
    assert low <= expected <= high, (rate, expected)


def test_persistence_is_at_least_k_of_m_independent_checks() -> None:
    # By hand, p = 0.1, 2 of 3: 3 · 0.1² · 0.9 + 0.1³ = 0.027 + 0.001 = 0.028.
    assert persisted(0.1, 2, 3) == pytest.approx(0.028)
    assert persisted(0.1, 1, 1) == pytest.approx(0.1)
    assert persisted(0.1, 3, 3) == pytest.approx(0.001)

    weekly = result(5, 50, persist=(2, 3))

    rate, _, _ = weekly.per_fired_check
    year, low, high = weekly.per_year
    assert rate == pytest.approx(0.028)
    assert year == pytest.approx(0.028 * 365.25 / 7)
    assert low < year < high
    assert "2.8 % with persist 2/3" in weekly.words()
    assert "≈ 1.5 false alarms per year" in weekly.words()


def test_cadence_is_every_else_the_median_interval_else_weekly() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    times = [t0, t0 + timedelta(days=1), t0 + timedelta(days=4), t0 + timedelta(days=10)]

    assert cadence(times, timedelta(hours=12)) == Cadence(timedelta(hours=12), "--every")
    assert cadence(times, None).every == timedelta(days=3)  # gaps 1, 3, 6 days
    assert "median interval" in cadence(times, None).source
    assert cadence(times[:1], None).every == timedelta(days=7)


def result(fired: int, resamples: int, persist: tuple[int, int] | None = None) -> FalseAlarms:
    weekly = Cadence(timedelta(days=7), "--every")
    return FalseAlarms("calibrated", "v1", resamples, fired, 1, 1, persist, weekly)


def test_backtest_reports_the_drift_false_alarms_a_year(
    history_project: tuple[Path, list[str]],
) -> None:
    root, _ = history_project
    config = str(root / "retrigger.yaml")

    text = run_cli("backtest", "--config", config)
    weekly = run_cli("backtest", "--config", config, "--json", "--every", "7d")

    assert text.code == 0, text.err
    # Days 0 2 4 5 9 10 13 15 18 50: the median gap between the ten checks is 2 days.
    assert "of 50 resamples of the data the replay starts from" in text.out
    assert "false alarms per year" in text.out
    assert "at one check every 2d (the median interval between the 10 checks)" in text.out
    assert weekly.code == 0, weekly.err
    found = json.loads(weekly.out)["drift_false_alarms"]
    assert (found["mode"], found["resamples"], found["every_days"]) == ("compatible", 50, 7.0)
    assert found["cadence_source"] == "--every"
    rate = found["fired"] / 50
    assert found["per_check"]["rate"] == rate
    assert found["per_year"]["expected"] == pytest.approx(rate * 365.25 / 7)
