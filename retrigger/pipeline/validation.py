"""The validation gate: is the new model better than the one in production? Pure, no I/O.

The numbers come from ``retrigger.pipeline.compare``: with ``validation.data`` both models are
scored by retrigger on the same rows; without it, the challenger's metric is compared with the
champion's (or, before any champion, the baseline run's) own recorded metric, and the reason
says exactly which number that is.

Rules, for ``greater_is_better`` (mirrored otherwise):
- never below the performance floor (``signals.performance.min``), champion or not;
- nothing to compare with (no champion, no baseline run): promote when above the floor, and
  say so;
- otherwise: improvement = new − reference must be > 0 and at least both
  ``pipeline.min_improvement`` and ``pipeline.min_relative_improvement`` × |reference|.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retrigger.evaluation.overlap import Overlap


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str
    metric: str
    new: float | None  # None when the challenger could not be measured
    champion: float | None  # the number compared against; None without a champion
    champion_version: str | None
    champion_source: str | None
    required: float | None  # the improvement needed
    floor: float | None
    against: str = "champion"  # or "baseline", before any champion
    data: str | None = None  # the validation rows both were scored on, when they were
    overlap: Overlap | None = None  # how many of those rows the champion was trained on
    # Without validation rows: how the two numbers' data differ (None: the same data).
    incomparable: str | None = None
    held: bool = False  # not promoted, kept as a registered candidate (when_incomparable: hold)

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "passed": self.passed,
            "reason": self.reason,
            "metric": self.metric,
            "new": self.new,
            "champion": self.champion,
            "champion_version": self.champion_version,
            "champion_source": self.champion_source,
            "required_improvement": self.required,
            "floor": self.floor,
        }
        # Only when they say something: what older attempts stored reads back unchanged.
        if self.against != "champion":
            doc["against"] = self.against
        if self.data is not None:
            doc["data"] = self.data
        if self.overlap is not None:
            doc["overlap"] = self.overlap.as_json()
        if self.incomparable is not None:
            doc["incomparable"] = self.incomparable
        if self.held:
            doc["held"] = True
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Verdict:
        """Read back what ``as_json`` stored (an attempt's facts); absent numbers are None."""

        def number(key: str) -> float | None:
            value = doc.get(key)
            return None if value is None else float(value)

        version = doc.get("champion_version")
        return cls(
            bool(doc.get("passed")),
            str(doc.get("reason") or ""),
            str(doc.get("metric")),
            number("new"),
            number("champion"),
            None if version is None else str(version),
            doc.get("champion_source"),
            number("required_improvement"),
            number("floor"),
            str(doc.get("against") or "champion"),
            doc.get("data"),
            Overlap.from_json(doc["overlap"]) if isinstance(doc.get("overlap"), dict) else None,
            doc.get("incomparable"),
            bool(doc.get("held")),
        )


@dataclass(frozen=True)
class Rules:
    metric: str
    greater_is_better: bool
    floor: float | None
    min_improvement: float
    min_relative_improvement: float


def judge(
    rules: Rules,
    new: float,
    champion: float | None,
    champion_version: str | None,
    champion_source: str | None,
    against: str = "champion",
) -> Verdict:
    def verdict(passed: bool, reason: str, required: float | None = None) -> Verdict:
        return Verdict(
            passed,
            reason,
            rules.metric,
            new,
            champion,
            champion_version,
            champion_source,
            required,
            rules.floor,
            against,
        )

    better = rules.greater_is_better
    if rules.floor is not None and (new < rules.floor if better else new > rules.floor):
        where = "below the performance floor" if better else "above the performance ceiling"
        return verdict(False, f"{rules.metric}={new:.4g} is {where} {rules.floor:.4g}")
    if champion is None:
        return verdict(
            True,
            f"no champion yet and {champion_source or 'no baseline run'} to "
            f"compare with: judged on the floor alone; {rules.metric}={new:.4g}"
            + (
                f" meets the floor {rules.floor:.4g}"
                if rules.floor is not None
                else " (no floor configured)"
            ),
        )
    improvement = new - champion if better else champion - new
    required = max(rules.min_improvement, rules.min_relative_improvement * abs(champion))
    who = f"{against} v{champion_version}" if champion_version else against
    text = (
        f"{rules.metric} {new:.4g} vs {who} {champion:.4g} ({champion_source}): "
        f"improvement {improvement:+.4g}"
    )
    if improvement <= 0:
        where = "the model in production" if against == "champion" else f"the {against}"
        return verdict(False, f"{text}; not better than {where}", required)
    if improvement < required:
        return verdict(False, f"{text} is below the required {required:.4g}", required)
    return verdict(True, f"{text} ≥ required {required:.4g}", required)
