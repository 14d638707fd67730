"""The model registry: who the champion is, and promotion — the last, only irreversible step.

Promotion registers the run's model as a new version tagged with the decision id, then moves
the alias in one call: before that call nothing changed for production, after it everything did.
A rerun finds the version by its tag, so a crash between the two never makes a second version;
and since MLflow's client retries a create whose answer was lost (a 5xx from a proxy after the
server committed), the tag is read again after registering and after any error: of two versions
of one decision the older is kept, the other tagged ``retrigger.status=duplicate``, never aliased.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrigger.errors import BadInput
from retrigger.lineage import tags
from retrigger.lineage.alias_owner import aliased
from retrigger.lineage.status import RetrainStatus
from retrigger.pipeline.record import MODEL_ARTIFACT, escape

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient


@dataclass(frozen=True)
class Champion:
    version: str
    run_id: str | None
    decision_id: str | None
    recorded_metric: float | None  # what the champion's own run logged (older data)
    data_version: str | None = None  # the data its run trained on, when recorded


def champion(client: MlflowClient, name: str, alias: str, metric: str | None) -> Champion | None:
    """The version holding ``alias``, or None when there is none yet."""
    from mlflow.exceptions import MlflowException

    version = aliased(client, name, alias)
    if version is None:
        return None
    recorded = data_version = None
    if version.run_id and metric:
        try:
            data = client.get_run(version.run_id).data
            data_version = data.tags.get(tags.DATA_VERSION)
            # The run's own metric first: ``_after`` is the gate's number (validation rows).
            for key in (metric, f"{metric}_after"):
                value = data.metrics.get(key)
                if value is not None and math.isfinite(value):
                    recorded = float(value)
                    break
        except MlflowException:
            recorded = None  # the run was deleted: nothing recorded to compare with
    return Champion(
        str(version.version),
        version.run_id,
        version.tags.get(tags.DECISION_ID),
        recorded,
        data_version,
    )


def promote(
    client: MlflowClient,
    name: str,
    alias: str,
    run_id: str,
    decision_id: str,
    version_tags: dict[str, str],
    source: str | None = None,
    adopted: str | None = None,
    model_id: str | None = None,
    stage: str | None = None,
    description: str | None = None,
) -> tuple[str, str | None]:
    """Register (or find, or adopt) the version of ``decision_id`` and move ``alias`` to it,
    then ``stage`` too when one is set (the legacy stage a served app reads).

    ``adopted`` is a version the pipeline registered itself from this run: it is tagged, never
    registered a second time. Returns (version, previous champion version).
    """
    version = register(client, name, run_id, decision_id, version_tags, source, adopted, model_id)
    if description:  # why this version exists, written before it becomes the champion
        client.update_model_version(name, version, description=description[:5000])
    previous = champion(client, name, alias, None)
    if previous is None or previous.version != version:
        client.set_registered_model_alias(name, alias, version)
    if stage is not None:
        transition_stage(client, name, version, stage)
    return version, previous.version if previous and previous.version != version else None


def transition_stage(client: MlflowClient, name: str, version: str, stage: str) -> None:
    """Move ``version`` into the legacy ``stage`` and archive the versions that held it, so an
    app loading ``models:/NAME/Production`` serves the promoted model. A rerun is a no-op."""
    import warnings

    current = client.get_model_version(name, version)
    if str(current.current_stage).lower() == stage.lower():
        return
    with warnings.catch_warnings():
        # MLflow deprecates stages in favour of aliases; moving one is what this key asks for.
        warnings.simplefilter("ignore", FutureWarning)
        client.transition_model_version_stage(name, version, stage, archive_existing_versions=True)


def register(
    client: MlflowClient,
    name: str,
    run_id: str,
    decision_id: str,
    version_tags: dict[str, str],
    source: str | None = None,
    adopted: str | None = None,
    model_id: str | None = None,
) -> str:
    """The registry version of ``decision_id``: found by its tag, adopted, or registered once."""
    if adopted is not None:
        version = adopted
        for key, value in {tags.DECISION_ID: decision_id, **version_tags}.items():
            client.set_model_version_tag(name, version, key, value)
    else:
        version = _registered_once(
            client,
            name,
            source or f"runs:/{run_id}/{MODEL_ARTIFACT}",
            run_id,
            decision_id,
            version_tags,
            model_id,
        )
    return version


def _registered_once(
    client: MlflowClient,
    name: str,
    source: str,
    run_id: str,
    decision_id: str,
    version_tags: dict[str, str],
    model_id: str | None,
) -> str:
    """The one version of ``decision_id``: found by its tag, or registered and read back."""
    found = version_of_decision(client, name, decision_id)
    if found is not None:
        return found
    try:
        created = _register(client, name, source, run_id, decision_id, version_tags, model_id)
    except Exception:
        # The server may have committed before the error reached us: use what it holds.
        found = version_of_decision(client, name, decision_id)
        if found is None:
            raise
        return found
    return version_of_decision(client, name, decision_id) or created


def version_of_decision(client: MlflowClient, name: str, decision_id: str) -> str | None:
    """The oldest version tagged with ``decision_id``; any later one is tagged a duplicate."""
    found = sorted(
        client.search_model_versions(
            f"name = '{escape(name)}' and tags.`{tags.DECISION_ID}` = '{escape(decision_id)}'"
        ),
        key=lambda v: int(v.version),
    )
    for extra in found[1:]:
        if extra.tags.get(tags.STATUS) != RetrainStatus.DUPLICATE:
            client.set_model_version_tag(
                name, str(extra.version), tags.STATUS, str(RetrainStatus.DUPLICATE)
            )
    return str(found[0].version) if found else None


def _register(
    client: MlflowClient,
    name: str,
    source: str,
    run_id: str,
    decision_id: str,
    version_tags: dict[str, str],
    model_id: str | None,
) -> str:
    from mlflow.exceptions import MlflowException

    try:
        client.create_registered_model(name)
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    created = client.create_model_version(
        name,
        source,
        run_id=run_id,
        tags={tags.DECISION_ID: decision_id, **version_tags},
        description=f"retrained by retrigger for decision {decision_id}",  # until promote()
        model_id=model_id,
    )
    return str(created.version)


def mark_rejected(client: MlflowClient, name: str, version: str, decision_id: str) -> None:
    """A version the pipeline registered itself, refused by validation: tagged, never aliased."""
    client.set_model_version_tag(name, version, tags.STATUS, str(RetrainStatus.REJECTED))
    client.set_model_version_tag(name, version, tags.DECISION_ID, decision_id)


def version_of(client: MlflowClient, uri: str) -> tuple[str, str]:
    """(name, version) of ``models:/NAME/VERSION`` or ``models:/NAME@ALIAS``; BadInput when
    the registry has no such version."""
    from mlflow.exceptions import MlflowException

    body = uri.removeprefix("models:/")
    try:
        if "@" in body:
            name, alias = body.split("@", 1)
            found = client.get_model_version_by_alias(name, alias)
        else:
            name, _, number = body.partition("/")
            found = client.get_model_version(name, number)
    except MlflowException:
        raise BadInput(
            f"{uri} does not exist in the registry; list versions in the MLflow UI "
            "or with `retrigger champion show`"
        ) from None
    return str(found.name), str(found.version)


def loadable(client: MlflowClient, source: str) -> bool:
    """Whether a version's source is an MLflow model (has ``MLmodel``), so pyfunc loads it."""
    if source.startswith("models:/"):
        return True  # an MLflow 3 logged model: always a full MLflow model
    from mlflow.artifacts import list_artifacts

    try:
        found = list_artifacts(artifact_uri=source, tracking_uri=client.tracking_uri)
    except Exception:  # the run or its artifacts are gone, or the scheme is unreachable
        return False
    return any(item.path.rsplit("/", 1)[-1] == "MLmodel" for item in found or [])
