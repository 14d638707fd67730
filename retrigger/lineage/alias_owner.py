"""Who last moved the champion alias: retrigger, or another tool (a training script that sets
``@production`` itself, a teammate in the MLflow UI).

MLflow keeps no history of an alias, so the version holding it is read: retrigger put it there
when the version is one it promoted (its retrain run's ``retrigger.model_version`` names it) or
adopted (``retrigger champion set`` tags it). Anything else was moved by someone else, and
whoever registered that version, from which run and script, is the best answer to "who".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from retrigger.lineage import tags

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion
    from mlflow.tracking import MlflowClient

_ABSENT = {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND"}


@dataclass(frozen=True)
class AliasHolder:
    version: str
    by_retrigger: bool
    who: str  # in words: "alice, from run train (src/train.py, 3f2a9c1b), 2026-12-06 10:02 UTC"


def aliased(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The version holding ``name@alias``; None when the model or the alias does not exist
    (any other MLflow error is raised: an unreachable registry is not "no champion")."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        if exc.error_code in _ABSENT:
            return None
        raise


def holder(client: MlflowClient, name: str, alias: str) -> AliasHolder | None:
    """The version holding ``name@alias`` and who put it there; None when the alias is unset."""
    version = aliased(client, name, alias)
    if version is None:
        return None
    number = str(version.version)
    return AliasHolder(number, _retriggers(client, version), _who(client, version))


def _retriggers(client: MlflowClient, version: ModelVersion) -> bool:
    version_tags = version.tags or {}
    if version_tags.get(tags.ADOPTED) == "true":
        return True
    decision = version_tags.get(tags.DECISION_ID)
    if decision is None:
        return False
    # Registered by retrigger is not promoted by it: a held or refused candidate carries the
    # decision too. The retrain run says which version it promoted.
    runs = client.search_runs(
        [e.experiment_id for e in client.search_experiments(max_results=200)],
        filter_string=f"tags.`{tags.DECISION_ID}` = '{decision.replace(chr(39), '')}'",
        max_results=20,
    )
    return any(r.data.tags.get(tags.MODEL_VERSION) == str(version.version) for r in runs)


def _who(client: MlflowClient, version: ModelVersion) -> str:
    from mlflow.exceptions import MlflowException

    parts: list[str] = []
    user = version.user_id or ""
    if version.run_id:
        try:
            run = client.get_run(version.run_id)
            user = user or run.info.user_id or run.data.tags.get("mlflow.user", "")
            script = run.data.tags.get("mlflow.source.name", "")
            where = ", ".join(p for p in (script.rsplit("/", 1)[-1], version.run_id[:8]) if p)
            parts.append(f"from run {run.info.run_name or version.run_id[:8]} ({where})")
        except MlflowException:
            parts.append(f"from run {version.run_id[:8]} (deleted)")
    stamp = version.last_updated_timestamp or version.creation_timestamp
    if stamp:
        when = datetime.fromtimestamp(stamp / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
        parts.append(when)
    return ", ".join([user or "an unknown user", *parts])
