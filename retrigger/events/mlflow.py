"""MLflow registry webhooks (MLflow ≥ 3.3): ``{"entity": "model_version", "action":
"created", "timestamp": "…", "data": {"name": …, "version": …, "run_id": …, "tags": {…}}}``
and ``model_version_alias.created`` with ``data: {"name", "alias", "version"}``
(mlflow/webhooks/types.py). MLflow's payloads do not say who made the change."""

from __future__ import annotations

from typing import Any

from retrigger.events.model import NotTheShape, Parsed, RegistryChange
from retrigger.lineage.tags import DECISION_ID

VERSION_CREATED = "model_version.created"
ALIAS_CREATED = "model_version_alias.created"


def parse(document: Any) -> Parsed:
    if not isinstance(document, dict):
        raise NotTheShape("not an MLflow webhook: a JSON object was expected")
    entity, action, data = document.get("entity"), document.get("action"), document.get("data")
    if not isinstance(entity, str) or not isinstance(action, str) or not isinstance(data, dict):
        raise NotTheShape('not an MLflow webhook: {"entity", "action", "data"} expected')
    found_tags = data.get("tags")
    decision = found_tags.get(DECISION_ID) if isinstance(found_tags, dict) else None
    return Parsed(
        registry=RegistryChange(
            kind=f"{entity[:40]}.{action[:40]}",
            model=_text(data.get("name")),
            version=_text(data.get("version")),
            alias=_text(data.get("alias")),
            run_id=_text(data.get("run_id")),
            decision_id=_text(decision),
        )
    )


def _text(value: object) -> str | None:
    return value[:200] if isinstance(value, str) else None
