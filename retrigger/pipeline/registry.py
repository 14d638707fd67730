"""The model registry: who the champion is, and promotion — the last, only irreversible step.

Promotion registers the run's model as a new version tagged with the decision id, then moves
the alias in one call: before that call nothing changed for production, after it everything did.
A rerun finds the version by its tag, so a crash between the two never makes a second version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrigger.lineage import tags
from retrigger.pipeline.record import MODEL_ARTIFACT, escape

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

_ABSENT = {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND"}


@dataclass(frozen=True)
class Champion:
    version: str
    run_id: str | None
    decision_id: str | None
    recorded_metric: float | None  # what the champion's own run logged (older data)


def champion(client: MlflowClient, name: str, alias: str,
             metric: str | None) -> Champion | None:
    """The version holding ``alias``, or None when there is none yet."""
    from mlflow.exceptions import MlflowException

    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        if exc.error_code in _ABSENT:
            return None
        raise
    recorded = None
    if version.run_id and metric:
        try:
            data = client.get_run(version.run_id).data
            for key in (f"{metric}_after", metric):
                value = data.metrics.get(key)
                if value is not None and math.isfinite(value):
                    recorded = float(value)
                    break
        except MlflowException:
            recorded = None  # the run was deleted: compare on the metrics file alone
    return Champion(str(version.version), version.run_id, version.tags.get(tags.DECISION_ID),
                    recorded)


def promote(client: MlflowClient, name: str, alias: str, run_id: str, decision_id: str,
            version_tags: dict[str, str]) -> tuple[str, str | None]:
    """Register (or find) the version of ``decision_id`` and move ``alias`` to it.

    Returns (version, previous champion version).
    """
    from mlflow.exceptions import MlflowException

    found = client.search_model_versions(
        f"name = '{escape(name)}' and tags.`{tags.DECISION_ID}` = '{escape(decision_id)}'")
    if found:
        version = str(found[0].version)
    else:
        try:
            client.create_registered_model(name)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        created = client.create_model_version(
            name, f"runs:/{run_id}/{MODEL_ARTIFACT}", run_id=run_id,
            tags={tags.DECISION_ID: decision_id, **version_tags},
            description=f"retrained by retrigger for decision {decision_id}")
        version = str(created.version)
    previous = champion(client, name, alias, None)
    if previous is None or previous.version != version:
        client.set_registered_model_alias(name, alias, version)
    return version, previous.version if previous and previous.version != version else None
