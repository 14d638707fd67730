"""What a retrain run says in MLflow's UI: its description (``mlflow.note.content``, shown as
the run's Description), its name, and the per-column drift scores worth charting.

Pure: built from the decision and the attempt's facts, so it can be written when the run is
opened and again when it ends, and tested without MLflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retrigger.units import format as fmt

if TYPE_CHECKING:
    from retrigger.decision import Decision

NOTE_TAG = "mlflow.note.content"  # MLflow's own tag for the run description
USER_TAG = "mlflow.user"  # MLflow's "Created by"
DRIFT_METRIC_PREFIX = "drift."


@dataclass(frozen=True)
class RetrainFacts:
    """What the description needs beyond the decision (from the attempt's facts)."""

    metric: str
    requested_by: str | None = None
    approved_by: str | None = None
    validation: dict[str, Any] | None = None  # validation.Verdict.as_json()
    data: list[dict[str, Any]] = field(default_factory=list)  # {"path", "md5", ...}
    status: str | None = None


def run_name(decision_id: str) -> str:
    return f"retrain {decision_id}"


def describe(decision: Decision, facts: RetrainFacts) -> str:
    """Markdown: why it retrained, each signal against its threshold, the validation verdict
    (challenger against champion), the data versions and who asked."""
    triggers = ", ".join(decision.trigger_types) or "none"
    lines = [
        f"**Why:** retrain of `{decision.model}` triggered by {triggers} "
        f"(decision `{decision.id}`, {fmt.timestamp(decision.created_at)})."
    ]
    if decision.reason:
        lines.append(f"**Reason given:** {decision.reason}")
    lines += ["", "| signal | value | threshold | fired |", "|---|---|---|---|"]
    for r in decision.readings:
        lines.append(
            f"| {r.kind} | {fmt.signal_value(r.kind, r.value)} | "
            f"{fmt.signal_value(r.kind, r.threshold)} | {'yes' if r.fired else 'no'} |"
        )
    lines += ["", _validation(facts)]
    if facts.data:
        lines += [
            "",
            "**Data:** "
            + ", ".join(f"`{d.get('path')}` md5 `{str(d.get('md5'))[:12]}`" for d in facts.data),
        ]
    elif decision.data_version:
        lines += ["", f"**Data version:** `{decision.data_version}`"]
    who = f"requested by {facts.requested_by or '—'}, approved by {facts.approved_by or '—'}"
    lines += ["", f"**Who:** {who}."]
    if facts.status:
        lines.append(f"**Outcome:** {facts.status}.")
    return "\n".join(lines)


def _validation(facts: RetrainFacts) -> str:
    v = facts.validation
    if not v:
        return "**Validation:** not run yet."
    word = "passed" if v.get("passed") else "refused"
    champion = v.get("champion")
    against = (
        f"champion v{v.get('champion_version')} {fmt.number(champion)}"
        if champion is not None
        else "no champion yet"
    )
    return (
        f"**Validation {word}:** challenger {facts.metric} {fmt.number(v.get('new'))} vs "
        f"{against} — {v.get('reason')}"
    )


def drift_metrics(decision: Decision) -> dict[str, float]:
    """``drift.<column>`` = that column's score, when the drift signal fired."""
    scores: dict[str, float] = {}
    for reading in decision.readings:
        if reading.kind != "drift" or not reading.fired:
            continue
        columns = reading.extra.get("columns")
        if not isinstance(columns, dict):
            continue
        for name, result in columns.items():
            score = result.get("score") if isinstance(result, dict) else None
            if isinstance(score, int | float):
                scores[DRIFT_METRIC_PREFIX + _metric_key(str(name))] = float(score)
    return scores


def _metric_key(name: str) -> str:
    # MLflow metric names take alphanumerics, _ - . space : /; anything else becomes _.
    return "".join(c if c.isalnum() or c in "_-. :/" else "_" for c in name)
