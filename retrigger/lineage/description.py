"""What a retrain says in MLflow's UI: the run's description (``mlflow.note.content``, shown as
the run's Description), its name (the outcome in the runs list), the registry version's
description, and the per-column drift scores worth charting.

Pure: built from the decision and the attempt's facts, so it can be written when the run is
opened and again when it ends, and tested without MLflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retrigger.units import format as fmt

if TYPE_CHECKING:
    from retrigger.decision import Decision

NOTE_TAG = "mlflow.note.content"  # MLflow's own tag for the run description
USER_TAG = "mlflow.user"  # MLflow's "Created by"
DRIFT_METRIC_PREFIX = "drift."
MANUAL = "manual"
# The outcome word in a finished run's name (the runs list shows names, not tags).
OUTCOME_WORDS = {
    "promoted": "promoted",
    "rejected-by-validation": "refused",
    "nothing-to-train": "nothing-to-train",
    "held-as-candidate": "held",
    "failed": "failed",
}


@dataclass(frozen=True)
class RetrainFacts:
    """What the description needs beyond the decision (from the attempt's facts)."""

    metric: str
    requested_by: str | None = None
    approved_by: str | None = None
    validation: dict[str, Any] | None = None  # validation.Verdict.as_json()
    data: list[dict[str, Any]] = field(default_factory=list)  # {"path", "md5", ...}
    status: str | None = None
    error: str | None = None  # why a failed retrain failed
    failure_lines: list[str] = field(default_factory=list)  # the failed command's last lines
    names: Mapping[str, str] = field(default_factory=dict)  # raw id → display name
    data_version: str | None = None  # what it trained on (else the decision's)


def run_name(decision_id: str, status: str | None = None) -> str:
    """``retrain <decision>`` while it runs; ``retrain <decision> · <outcome>`` once it ended."""
    word = OUTCOME_WORDS.get(str(status)) if status else None
    return f"retrain {decision_id}" + (f" · {word}" if word else "")


def is_own_name(name: str, decision_id: str) -> bool:
    """A name this module gave the run (running or finished), not the pipeline's."""
    return name == run_name(decision_id) or name.startswith(run_name(decision_id) + " · ")


def describe(decision: Decision, facts: RetrainFacts) -> str:
    """Markdown: why it retrained (this decision's signals, or who forced it and why), the
    validation verdict (challenger against champion), the data versions and who asked."""
    lines = [_why(decision, facts)]
    if MANUAL not in decision.trigger_types:
        lines += _signal_table(decision)
    elif decision.reason:
        lines.append("No signal was read for this decision: a person forced it.")
    lines += ["", _validation(facts)]
    if facts.data:
        lines += [
            "",
            "**Data:** "
            + ", ".join(f"`{d.get('path')}` md5 `{str(d.get('md5'))[:12]}`" for d in facts.data),
        ]
    elif decision.data_version:
        lines += ["", f"**Data version:** `{decision.data_version}`"]
    lines += ["", f"**Who:** {_who(facts)}."]
    if facts.status:
        lines.append(f"**Outcome:** {facts.status}.")
    return "\n".join(lines)


def version_description(decision: Decision, facts: RetrainFacts, run_id: str) -> str:
    """The registry version's description: why this version exists, in a few lines."""
    lines = [_why(decision, facts), "", _validation(facts)]
    data = ", ".join(f"`{d.get('path')}` md5 `{str(d.get('md5'))[:12]}`" for d in facts.data)
    version = facts.data_version or decision.data_version or "unknown"
    lines += ["", f"**Data version:** `{version}`"]
    if data:
        lines[-1] += f" ({data})"
    lines += ["", f"**Who:** {_who(facts)}.", "", f"Retrain run `{run_id}`."]
    return "\n".join(lines)


def _why(decision: Decision, facts: RetrainFacts) -> str:
    when = f"decision `{decision.id}`, {fmt.timestamp(decision.created_at)}"
    if MANUAL in decision.trigger_types:
        who = name_of(decision.requested_by or facts.requested_by, facts.names)
        reason = decision.reason or "no reason given"
        return f"**Why:** retrain of `{decision.model}` forced by {who}: {reason} ({when})."
    triggers = ", ".join(decision.trigger_types) or "none"
    text = f"**Why:** retrain of `{decision.model}` triggered by {triggers} ({when})."
    if decision.reason:
        text += f"\n**Reason given:** {decision.reason}"
    return text


def _signal_table(decision: Decision) -> list[str]:
    if not decision.readings:
        return ["", "No signal readings were stored with this decision."]
    lines = ["", "| signal | value | threshold | fired |", "|---|---|---|---|"]
    for r in decision.readings:
        fired = "unknown" if r.unknown else ("yes" if r.fired else "no")
        lines.append(
            f"| {r.kind} | {fmt.signal_value(r.kind, r.value)} | "
            f"{fmt.signal_value(r.kind, r.threshold)} | {fired} |"
        )
    return lines


def _validation(facts: RetrainFacts) -> str:
    v = facts.validation
    if not v:
        if facts.error:
            tail = f" Last output: `{facts.failure_lines[-1][:200]}`" if facts.failure_lines else ""
            return f"**Failed:** {facts.error}{tail}"
        if facts.status in {"nothing-to-train"}:
            return "**Validation:** not run: `dvc repro` ran no stage, no model was built."
        return "**Validation:** not run yet."
    word = "passed" if v.get("passed") else ("held" if v.get("held") else "refused")
    metric = str(v.get("metric") or facts.metric)
    champion = v.get("champion")
    against = str(v.get("against") or "champion")
    version = v.get("champion_version")
    source = f" ({v['champion_source']})" if v.get("champion_source") else ""
    reason = str(v.get("reason") or "")
    if champion is None:  # a passing reason starts "no champion yet and …" itself
        compared = "" if reason.startswith("no champion yet") else " vs no champion yet"
    else:
        who = f"{against} v{version}" if version else against
        compared = f" vs {who} {fmt.number(champion)}{source}"
    rows = f" on {v['data']}" if v.get("data") else ""
    new = fmt.number(v.get("new"))
    text = f"**Validation {word}:** challenger {metric} {new}{compared}{rows}"
    verdict = _verdict_words(reason)
    return f"{text} — {verdict}" if verdict else text


def _verdict_words(reason: str) -> str:
    """The gate's reason without the numbers the sentence already gives (``accuracy 0.9 vs
    champion v2 0.8 (…): improvement +0.1; not better…`` → ``improvement +0.1; not better…``)."""
    head, sep, rest = reason.partition("): ")
    if sep and " vs " in head:
        return rest
    return reason


def _who(facts: RetrainFacts) -> str:
    requested = name_of(facts.requested_by, facts.names)
    approved = name_of(facts.approved_by, facts.names)
    return f"requested by {requested}, approved by {approved}"


def name_of(person: str | None, names: Mapping[str, str]) -> str:
    """``Alice Liddell (UALICE)`` when a display name is known; the id as it is otherwise."""
    if not person:
        return fmt.MISSING
    name = names.get(person)
    return f"{name} ({person})" if name and name != person else person


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
