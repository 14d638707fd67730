"""The run whose data the model in use was trained on, and that data: one place for the
question every signal, delta and drift report asks ("trained on what?").

The answer is the last *successful* retrain recorded in MLflow, else the baseline run; its
``retrigger.data.<path>`` tags hold the DVC md5 of each data path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrigger.lineage import tags
from retrigger.lineage.tracking import RunInfo, Tracking

# What to run when no run recorded the trained data: commands that exist, named in full.
RECORD_DATA = (
    "record it with `retrigger baseline set RUN_ID --record-data` (RUN_ID: the run the model in "
    "use was trained on) or retrain with `retrigger run`"
)


@dataclass(frozen=True)
class Reference:
    """path → md5 of a reference data set, its digest, and where it comes from."""

    md5s: dict[str, str]
    data_version: str | None
    source: str  # "last retrain" | "baseline run" | "last arrival" | "none"


def last_successful(retrains: Sequence[RunInfo]) -> RunInfo | None:
    """The newest retrain run (newest first in ``retrains``) that succeeded or was promoted."""
    return next(
        (run for run in retrains if run.tags.get(tags.STATUS) in tags.SUCCESSFUL_STATUSES), None
    )


def data_paths(run: RunInfo | None) -> dict[str, str]:
    """Path → DVC md5 recorded on ``run`` (empty when there is no run or no data tags)."""
    if run is None:
        return {}
    prefix = tags.DATA_PATH_PREFIX
    return {k[len(prefix) :]: v for k, v in run.tags.items() if k.startswith(prefix)}


def reference_of(last_retrain: RunInfo | None, baseline: RunInfo | None) -> Reference:
    """The trained data as a reference: the last successful retrain's, else the baseline's."""
    run = last_retrain or baseline
    paths = data_paths(run)
    if run is None or not paths:
        return Reference({}, None, "none")
    return Reference(
        paths, run.data_version, "last retrain" if last_retrain is not None else "baseline run"
    )


def trained(tracking: Tracking) -> Reference:
    """Ask MLflow for the trained data (two queries: the retrains, the baseline run)."""
    return reference_of(last_successful(tracking.retrains()), tracking.baseline())
