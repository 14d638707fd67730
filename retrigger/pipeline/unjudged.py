"""Why the gate compared nothing when ``dvc repro`` ran no stage, and which champion stays.

A retrain that built nothing has no challenger: there are no two numbers to show, and the
metrics file's number is the model in use's, not a "before". The message says so, and names
the champion (asked of the registry; ``unknown`` when it could not be asked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrigger.pipeline.repro_report import ReproReport

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

    from retrigger.workspace import Workspace


def nothing_compared(
    ws: Workspace, client: MlflowClient | None, repro: ReproReport
) -> dict[str, Any]:
    """The payload's ``gate_skipped``: why, and the champion's version (None when there is
    none, ``unknown`` when the registry could not say)."""
    from retrigger.pipeline import registry

    alias = ws.config.pipeline.champion_alias
    version: str | None = "unknown"
    if client is not None:
        try:
            found = registry.champion(client, ws.config.model.name, alias, None)
            version = found.version if found else None
        # The message must go out even when the registry cannot answer; it says unknown.
        except Exception:
            version = "unknown"
    return {
        "why": f"`dvc repro` ran no stage ({repro.describe()}), so no challenger was built "
        "and there was nothing to score",
        "champion_alias": alias,
        "champion_version": version,
    }
