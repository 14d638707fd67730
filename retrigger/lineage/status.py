"""The statuses of a retrain, one vocabulary for the state store (attempts and their steps), the
MLflow ``retrigger.status`` tag, the outbox and what ``retrigger run`` reports.

They are ``StrEnum`` members, so they are stored, tagged and printed as the very strings older
attempts and runs hold, and compare equal to them.
"""

from __future__ import annotations

from enum import StrEnum


class RetrainStatus(StrEnum):
    """Where a retrain (an attempt, its MLflow run, its outcome) stands."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"  # retrained, validated, pushed, recorded; promotion next
    PROMOTED = "promoted"
    REJECTED = "rejected-by-validation"
    # `dvc repro` ran no stage command (all up to date, or restored from DVC's run cache): no
    # model was built, so none is validated, registered or promoted.
    NOTHING_TO_TRAIN = "nothing-to-train"
    # Without validation rows, the two numbers came from different data
    # (validation.when_incomparable: hold): registered as a candidate version, never aliased.
    HELD = "held-as-candidate"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # Ctrl-C, or a dead runner whose lock was reclaimed
    BUSY = "busy"  # another DVC process held the repository's lock: resumable, not failed
    AWAITING_APPROVAL = "awaiting-approval"  # outcome only: a person must say yes first
    DRY_RUN = "dry-run"  # outcome only: nothing was changed
    # A registry version only: a second version of one decision (MLflow's client retried a
    # create whose answer was lost). Kept for the record, never aliased.
    DUPLICATE = "duplicate"


class StepStatus(StrEnum):
    """Where one step of an attempt stands (a step is ``ok``, never ``promoted``)."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    BUSY = "busy"  # DVC's lock was held by another process


# A decision is done: a rerun of it changes nothing.
FINAL = frozenset(
    {
        RetrainStatus.PROMOTED,
        RetrainStatus.REJECTED,
        RetrainStatus.NOTHING_TO_TRAIN,
        RetrainStatus.HELD,
    }
)
# A retrain run that counts as "a successful retrain" for the schedule signal and lineage.
SUCCESSFUL = frozenset({RetrainStatus.SUCCEEDED, RetrainStatus.PROMOTED})
# Outcomes ``retrigger run`` exits 0 with.
EXIT_OK = frozenset(
    {
        RetrainStatus.PROMOTED,
        RetrainStatus.NOTHING_TO_TRAIN,
        RetrainStatus.HELD,
        RetrainStatus.AWAITING_APPROVAL,
        RetrainStatus.DRY_RUN,
    }
)
