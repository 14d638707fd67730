"""The calibrated verdict: every column's effect size, then Benjamini–Hochberg across columns.

A column drifts when "E ≤ tolerance" is rejected at false discovery rate ``fdr``: its lower
confidence bound clears the tolerance, with the level split across the columns compared
together (all data paths of a check), so twenty columns are not twenty chances of a false alarm.
The dataset verdict is the compatible mode's: the share of drifted columns against ``share``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrigger.drift import fdr
from retrigger.drift.calibrated import effect, measure_of
from retrigger.drift.result import ColumnResult, DriftReport

if TYPE_CHECKING:
    from collections.abc import Mapping

    from retrigger.config.models import DriftSignalConfig
    from retrigger.drift.profiles import DatasetProfile

TYPE_KEY = "type:"  # tolerance keys "type:num", "type:cat", "type:binary" apply to a kind
DEFAULT_TOLERANCE = 0.1  # Evidently's normalised-Wasserstein / Jensen–Shannon threshold


@dataclass(frozen=True)
class CalibratedOptions:
    """``signals.drift`` in calibrated mode: tolerances (per column or ``type:KIND``), the false
    discovery rate, bootstrap replicates and seed, and the dataset share."""

    tolerance: Mapping[str, float] = field(default_factory=dict)
    fdr: float = 0.05
    replicates: int = 500
    seed: int = 0
    share: float = 0.5

    def tolerance_for(self, name: str, measure: str) -> float:
        kind = {"shift": "num", "categories": "cat", "binary": "binary"}[measure]
        for key in (name, TYPE_KEY + kind, *((TYPE_KEY + "cat",) if kind == "binary" else ())):
            if key in self.tolerance:
                return float(self.tolerance[key])
        return DEFAULT_TOLERANCE

    @classmethod
    def of(cls, settings: DriftSignalConfig) -> CalibratedOptions:
        """The options ``signals.drift`` sets (every data path and engine reads them here)."""
        return cls(
            tolerance=dict(settings.tolerance),
            fdr=settings.fdr,
            replicates=settings.bootstrap,
            seed=settings.seed,
            share=settings.share,
        )


def compare_profiles(
    reference: DatasetProfile, current: DatasetProfile, options: CalibratedOptions
) -> DriftReport:
    """Every profiled column's effect, judged across the columns (``judge``)."""
    report = DriftReport(reference.rows, current.rows, options.share)
    for layout, ref, cur in zip(
        reference.layout.columns, reference.columns, current.columns, strict=True
    ):
        tolerance = options.tolerance_for(layout.name, measure_of(layout, ref, cur))
        found = effect(
            layout, ref, cur, tolerance, options.replicates, options.seed, 1 - 2 * options.fdr
        )
        report.columns[layout.name] = ColumnResult(
            layout.name,
            layout.kind,
            found.measure,
            found.value,
            tolerance,
            reference_missing=ref.missing,
            current_missing=cur.missing,
            effect=found,
        )
    judge(report, options.fdr)
    return report


def judge(report: DriftReport, q: float) -> None:
    """Set the verdict of every column with an effect: BH over all of them at once."""
    names = [n for n, c in report.columns.items() if c.effect is not None]
    p_values = [report.columns[n].effect.p_value for n in names]  # type: ignore[union-attr]
    for name, drifted in zip(names, fdr.rejected(p_values, q), strict=True):
        result = report.columns[name]
        result.drift = drifted
        result.status = "drift" if drifted else "ok"
