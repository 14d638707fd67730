"""A decision: whether to retrain now, why (the signals' readings), and what held it back."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Reading:
    """One signal's verdict: the value read, the threshold it was held against, and why."""

    kind: str
    value: float | None
    threshold: float | None
    fired: bool
    detail: str
    # Extra facts for reports and the audit trail (e.g. drifted columns); JSON-serialisable.
    extra: dict[str, object] = field(default_factory=dict)
    # The signal could not be read (data not to be had, a file no reader understands): never
    # fired, and said so — ``detail`` holds the reason.
    unknown: bool = False

    @property
    def state(self) -> str:
        return "unknown" if self.unknown else ("fired" if self.fired else "ok")

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "kind": self.kind,
            "value": self.value,
            "threshold": self.threshold,
            "fired": self.fired,
            "state": self.state,
            "detail": self.detail,
        }
        if isinstance(self.extra.get("source"), dict):  # whose number: MLflow run, version
            doc["source"] = self.extra["source"]
        if "estimate" in self.extra:  # an estimated metric is shown with its interval
            doc["estimate"] = self.extra["estimate"]
        if "rows" in self.extra:  # the labelled rows a metric was scored on, by content
            doc["rows"] = self.extra["rows"]
        if self.kind == "cost":  # the staleness increment and where its numbers came from
            doc["cost"] = {k: self.extra.get(k) for k in _COST_FACTS}
        if "estimated" in self.extra:  # ...and what was estimated for them before the labels
            doc["estimated"] = self.extra["estimated"]
        return doc


_COST_FACTS = (
    "increment",
    "new_rows",
    "rows_since_trained",
    "gap",
    "fresh",
    "fresh_run",
    "earlier",
)


def new_decision_id(now: datetime) -> str:
    """Sortable by time, unique across machines: ``d-20260315T020000-9f3a1c``."""
    return f"d-{now.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Decision:
    id: str
    model: str
    created_at: datetime
    fire: bool  # true only when this decision leads to a retrain
    wanted: bool  # the signals asked for a retrain (before holds)
    trigger_types: tuple[str, ...]
    held_by: str | None
    hold_detail: str | None
    readings: tuple[Reading, ...]
    data_version: str | None
    data_paths: dict[str, str | None] = field(default_factory=dict)  # path → md5
    git_commit: str | None = None
    config: dict[str, object] = field(default_factory=dict)  # thresholds in force
    requested_by: str | None = None
    reason: str | None = None
    fetched: tuple[str, ...] = ()  # what `check` fetched from the DVC remote to read signals

    @property
    def warnings(self) -> list[str]:
        """One line per signal that could not be read."""
        return [f"{r.kind} unknown: {r.detail}" for r in self.readings if r.unknown]

    def as_json(self) -> dict[str, object]:
        """The documented ``retrigger check --json`` object."""
        return {
            "decision_id": self.id,
            "fire": self.fire,
            "trigger_types": list(self.trigger_types),
            "held_by": self.held_by,
            "hold_detail": self.hold_detail,  # why it was held, in words
            "signals": [reading.as_json() for reading in self.readings],
            "data_version": self.data_version,
            "created_at": self.created_at.isoformat(),
            "warnings": self.warnings,
            "fetched": list(self.fetched),
        }
