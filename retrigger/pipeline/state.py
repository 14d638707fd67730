"""What an attempt at a decision learned, typed, and its JSON in the state store.

The steps fill it in groups: the metric before the first ``dvc repro``, the outputs (metric,
commit, data), the validation verdict, the MLflow run, the promotion. The JSON keeps the keys
attempts have always stored (``metric_before``, ``metric_after``, ``git_commit``,
``data_version``, ``data``, ``validation``, ``run_id``, ``model_version``,
``previous_champion``, ``resumed``, since nothing-to-train ``repro``, and ``output_tail``: the
last lines of the command that failed), each group written
only once it is known — a resumed attempt carries an earlier attempt's groups by the presence of
their keys (first value wins).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from retrigger.decision import Decision
from retrigger.pipeline.failure_tail import OutputTail
from retrigger.pipeline.repro_report import ReproReport
from retrigger.pipeline.validation import Verdict


@dataclass(frozen=True)
class DataOut:
    """One DVC-tracked data path the model trained on."""

    path: str
    md5: str | None
    size: int | None
    files: int | None

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "md5": self.md5, "bytes": self.size, "files": self.files}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> DataOut:
        return cls(str(doc["path"]), doc.get("md5"), doc.get("bytes"), doc.get("files"))


@dataclass(frozen=True)
class Outputs:
    """What ``dvc repro`` left behind: the new metric, and the commit and data it trained on."""

    metric_after: float
    git_commit: str | None
    data_version: str | None
    data: list[DataOut] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "metric_after": self.metric_after,
            "git_commit": self.git_commit,
            "data_version": self.data_version,
            "data": [d.as_json() for d in self.data],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Outputs:
        return cls(
            float(doc["metric_after"]),
            doc.get("git_commit"),
            doc.get("data_version"),
            [DataOut.from_json(d) for d in doc.get("data") or []],
        )


@dataclass(frozen=True)
class Promotion:
    version: str
    previous: str | None  # the version that held the alias before, if any


@dataclass
class AttemptFacts:
    """The working state of a retrain; ``None`` is "not learned yet"."""

    resumed: bool = False  # an earlier attempt at the same decision ran
    # Measured once per decision, before the first repro; the measure itself may be None.
    before_measured: bool = False
    metric_before: float | None = None
    # What `dvc repro` ran and skipped; present once an attempt reached the repro step.
    repro: ReproReport | None = None
    outputs: Outputs | None = None
    validation: Verdict | None = None
    run_id: str | None = None
    promotion: Promotion | None = None
    failure: OutputTail | None = None  # the failed command's last lines (this attempt's only)

    @property
    def metric_after(self) -> float | None:
        return self.outputs.metric_after if self.outputs else None

    @property
    def model_version(self) -> str | None:
        return self.promotion.version if self.promotion else None

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"resumed": self.resumed}
        if self.before_measured:
            doc["metric_before"] = self.metric_before
        if self.repro is not None:
            doc["repro"] = self.repro.as_json()
        if self.outputs is not None:
            doc.update(self.outputs.as_json())
        if self.validation is not None:
            doc["validation"] = self.validation.as_json()
        if self.run_id is not None:
            doc["run_id"] = self.run_id
        if self.promotion is not None:
            doc.update(
                model_version=self.promotion.version, previous_champion=self.promotion.previous
            )
        if self.failure is not None:
            doc["output_tail"] = self.failure.as_json()
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> AttemptFacts:
        """Read what any attempt stored; a group whose keys are absent is not learned yet."""
        before = doc.get("metric_before")
        validation = doc.get("validation")
        version = doc.get("model_version")
        previous = doc.get("previous_champion")
        repro = doc.get("repro")
        tail = doc.get("output_tail")
        return cls(
            resumed=bool(doc.get("resumed")),
            before_measured="metric_before" in doc,
            metric_before=None if before is None else float(before),
            repro=ReproReport.from_json(repro) if isinstance(repro, dict) else None,
            outputs=Outputs.from_json(doc) if doc.get("metric_after") is not None else None,
            validation=Verdict.from_json(validation) if isinstance(validation, dict) else None,
            run_id=None if doc.get("run_id") is None else str(doc["run_id"]),
            promotion=None
            if version is None
            else Promotion(str(version), None if previous is None else str(previous)),
            failure=OutputTail.from_json(tail) if isinstance(tail, dict) else None,
        )


def carried(earlier: Sequence[dict[str, Any]]) -> AttemptFacts:
    """A new attempt's facts: what earlier attempts (oldest first) stored, first value wins."""
    merged: dict[str, Any] = {}
    for stored in earlier:
        for key, value in stored.items():
            merged.setdefault(key, value)
    # An earlier attempt's failure is its own: this attempt has not failed (yet).
    return replace(AttemptFacts.from_json(merged), resumed=bool(earlier), failure=None)


@dataclass(frozen=True)
class Job:
    """Who asked for which decision, in which attempt: what every record of it names."""

    decision: Decision
    attempt_id: str
    requested_by: str
    approved_by: str | None
    # Display names of the people above (raw id → name), resolved once per attempt.
    names: Mapping[str, str] = field(default_factory=dict)
