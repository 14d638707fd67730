"""The one pair of numbers a retrain reports as "before → after", and what each was measured on.

Once the gate judged, the pair is the gate's: the champion's (or baseline's) number and the
challenger's — with validation, both scored on the same rows, labelled with those rows; without
it, the two recorded numbers, each with the data it was measured on. Before the gate (a retrain
that failed or trained nothing) it is the model in use's newest number and whatever the
pipeline measured. The CLI, ``history``, Slack, the MLflow metrics and the PR body all print
this pair, so a reader never sees one pair while the gate compared another.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrigger.pipeline.state import AttemptFacts
from retrigger.pipeline.validation import Verdict


@dataclass(frozen=True)
class Pair:
    metric: str
    before: float | None
    after: float | None
    on: str | None = None  # what the two numbers were measured on; None before the gate

    @property
    def suffix(self) -> str:
        """`` (on …)`` for a one-line "before → after", empty when nothing is known."""
        return f" ({self.on})" if self.on else ""


def pair(facts: AttemptFacts, metric: str) -> Pair:
    verdict = facts.validation
    if verdict is None or (verdict.champion is None and verdict.new is None):
        return Pair(metric, facts.metric_before, facts.metric_after)
    data = facts.outputs.data_version if facts.outputs else None
    if verdict.champion is None:  # nothing to compare with: before is the model in use's number
        return Pair(verdict.metric, facts.metric_before, verdict.new, _on(verdict, data))
    return Pair(verdict.metric, verdict.champion, verdict.new, _on(verdict, data))


def _on(verdict: Verdict, data_version: str | None) -> str:
    who = verdict.against + (f" v{verdict.champion_version}" if verdict.champion_version else "")
    if verdict.data is not None:
        source = verdict.champion_source or ""
        if verdict.champion is not None and source.endswith(f"scored on {verdict.data}"):
            return f"both scored on {verdict.data}"
        challenger = f"challenger scored on {verdict.data}"
    else:
        challenger = f"challenger: its own recorded {verdict.metric} on data version {data_version}"
    if verdict.champion is None:
        return f"before: the model in use's newest recorded number, not compared; {challenger}"
    return f"{who}: {verdict.champion_source}; {challenger}"
