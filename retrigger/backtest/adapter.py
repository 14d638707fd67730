"""The one place the replay calls the policy: a thin adapter, so a change of ``decide``'s
signature or of ``History`` touches this file only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from retrigger.config.models import PolicyConfig
from retrigger.decision import Reading
from retrigger.policy import History, Verdict, decide


def apply_policy(
    readings: Sequence[Reading],
    retrain_times: Sequence[datetime],
    trained_version: str | None,
    policy: PolicyConfig,
    data_version: str | None,
    now: datetime,
) -> Verdict:
    """The verdict ``check`` would have reached at ``now`` had the replayed retrains run.

    A replayed retrain is taken to succeed at once: no retrain is ever in flight, and none is
    refused by validation (the counterfactual model cannot be scored).
    """
    history = History(retrain_times=tuple(retrain_times), trained_data_version=trained_version)
    return decide(readings, history, policy, data_version, now)
