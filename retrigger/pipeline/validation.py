"""The validation gate: is the new model better than the one in production? Pure, no I/O.

Comparing on the same data: the champion's number is the metrics file as it stood right before
``dvc repro`` — the model in use scored on the current data, the very number the performance
signal judged. The new model's number is the same file after ``dvc repro``, computed by the same
pipeline on the same data. Only when there is no "before" number (no metrics file yet) does the
gate fall back to the metric the champion's own retrain run recorded, measured on older data.

Rules, for ``greater_is_better`` (mirrored otherwise):
- never below the performance floor (``signals.performance.min``), champion or not;
- no champion yet: promote when above the floor;
- with a champion: improvement = new − champion must be > 0 and at least both
  ``pipeline.min_improvement`` and ``pipeline.min_relative_improvement`` × |champion|.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str
    metric: str
    new: float
    champion: float | None  # the number compared against; None without a champion
    champion_version: str | None
    champion_source: str | None
    required: float | None  # the improvement needed
    floor: float | None

    def as_json(self) -> dict[str, object]:
        return {"passed": self.passed, "reason": self.reason, "metric": self.metric,
                "new": self.new, "champion": self.champion,
                "champion_version": self.champion_version,
                "champion_source": self.champion_source, "required_improvement": self.required,
                "floor": self.floor}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Verdict:
        """Read back what ``as_json`` stored (an attempt's facts); absent numbers are None."""
        def number(key: str) -> float | None:
            value = doc.get(key)
            return None if value is None else float(value)

        version = doc.get("champion_version")
        return cls(bool(doc.get("passed")), str(doc.get("reason") or ""), str(doc.get("metric")),
                   float(doc["new"]), number("champion"),
                   None if version is None else str(version), doc.get("champion_source"),
                   number("required_improvement"), number("floor"))


@dataclass(frozen=True)
class Rules:
    metric: str
    greater_is_better: bool
    floor: float | None
    min_improvement: float
    min_relative_improvement: float


def judge(rules: Rules, new: float, champion: float | None, champion_version: str | None,
          champion_source: str | None) -> Verdict:
    def verdict(passed: bool, reason: str, required: float | None = None) -> Verdict:
        return Verdict(passed, reason, rules.metric, new, champion, champion_version,
                       champion_source, required, rules.floor)

    better = rules.greater_is_better
    if rules.floor is not None and (new < rules.floor if better else new > rules.floor):
        where = "below the performance floor" if better else "above the performance ceiling"
        return verdict(False, f"{rules.metric}={new:.4g} is {where} {rules.floor:.4g}")
    if champion is None:
        return verdict(True, f"no champion yet; {rules.metric}={new:.4g}"
                             + (f" meets the floor {rules.floor:.4g}" if rules.floor is not None
                                else " (no floor configured)"))
    improvement = new - champion if better else champion - new
    required = max(rules.min_improvement, rules.min_relative_improvement * abs(champion))
    who = f"champion v{champion_version}" if champion_version else "champion"
    text = (f"{rules.metric} {new:.4g} vs {who} {champion:.4g} ({champion_source}): "
            f"improvement {improvement:+.4g}")
    if improvement <= 0:
        return verdict(False, f"{text}; not better than the model in production", required)
    if improvement < required:
        return verdict(False, f"{text} is below the required {required:.4g}", required)
    return verdict(True, f"{text} ≥ required {required:.4g}", required)
