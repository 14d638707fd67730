"""What a drift comparison found: per-column results and the dataset verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrigger.drift.calibrated import Effect
    from retrigger.drift.plots import Plot


@dataclass
class ColumnResult:
    """One tested column. ``status`` is "drift", "warn" or "ok" ("only_in_reference" or
    "only_in_current" for a schema change counted as drift)."""

    name: str
    type: str
    test: str
    score: float
    threshold: float
    drift: bool = False
    status: str = "ok"
    reference_missing: int = 0
    current_missing: int = 0
    new_categories: int = 0
    plot: Plot | None = None
    effect: Effect | None = None  # calibrated mode: the effect size with its interval

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "type": self.type,
            "test": self.test,
            "score": _finite(self.score),
            "threshold": self.threshold,
            "drift": self.drift,
            "status": self.status,
            "reference_missing": self.reference_missing,
            "current_missing": self.current_missing,
            "new_categories": self.new_categories,
        }
        if self.effect is not None:
            doc["effect"] = self.effect.as_json()
        return doc


@dataclass(frozen=True)
class Skipped:
    """A column reported but not tested, and why.

    Reasons: ``all_missing`` (no value on one side), ``text``, ``datetime``, ``unknown`` (types
    Evidently's drift preset does not test either), ``only_in_reference`` / ``only_in_current``.
    """

    name: str
    type: str
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"type": self.type, "reason": self.reason}


@dataclass(frozen=True)
class PartitionsCompared:
    """When the sides were read as profiles: the engine, each side's partitions, and those
    read in this pass (the others came from the profile cache)."""

    engine: str
    reference: tuple[str, ...]
    current: tuple[str, ...]
    read: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "reference": list(self.reference),
            "current": list(self.current),
            "read": list(self.read),
        }

    def note(self) -> str:
        """'duckdb: 31 partition(s) vs 30 trained (read 1, 60 from the profile cache)'."""
        cached = len(self.reference) + len(self.current) - len(self.read)
        return (
            f"{self.engine}: {len(self.current)} partition(s) vs {len(self.reference)} trained "
            f"(read {len(self.read)}, {cached} from the profile cache)"
        )


@dataclass
class DriftReport:
    """The dataset verdict: drift when the share of drifted columns reaches ``share``."""

    reference_rows: int
    current_rows: int
    share: float
    columns: dict[str, ColumnResult] = field(default_factory=dict)
    skipped: dict[str, Skipped] = field(default_factory=dict)
    # The model's target (label) column, tested but shown apart and not counted for dataset
    # drift: a changed target is a changed task, not a drifting feature.
    target: ColumnResult | None = None
    partitions: PartitionsCompared | None = None  # None: the rows were read (exact path)

    @property
    def n_columns(self) -> int:
        return len(self.columns)

    @property
    def drifted_columns(self) -> list[str]:
        return [name for name, col in self.columns.items() if col.drift]

    @property
    def n_drifted(self) -> int:
        return len(self.drifted_columns)

    @property
    def share_drifted(self) -> float:
        return self.n_drifted / self.n_columns if self.n_columns else 0.0

    @property
    def drift(self) -> bool:
        return self.n_columns > 0 and self.share_drifted >= self.share

    def as_json(self) -> dict[str, object]:
        return {
            "drift": self.drift,
            "share_drifted": self.share_drifted,
            "n_columns": self.n_columns,
            "n_drifted": self.n_drifted,
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "share": self.share,
            "columns": {name: col.as_json() for name, col in self.columns.items()},
            "skipped": {name: skip.as_json() for name, skip in self.skipped.items()},
            **({"target": {self.target.name: self.target.as_json()}} if self.target else {}),
            **({"partitions": self.partitions.as_json()} if self.partitions else {}),
        }


def _finite(value: float) -> float | None:
    # JSON has no NaN or infinity; a score that is not a number is reported as null.
    return value if value == value and abs(value) != float("inf") else None
