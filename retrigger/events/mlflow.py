"""MLflow registry webhooks (MLflow ≥ 3.3): ``{"entity": "model_version", "action":
"created", "timestamp": "…", "data": {"name": …, "version": …, "alias": …}}``."""

from __future__ import annotations

from typing import Any

from retrigger.events.model import NotTheShape, Parsed, RegistryChange


def parse(document: Any) -> Parsed:
    if not isinstance(document, dict):
        raise NotTheShape("not an MLflow webhook: a JSON object was expected")
    entity, action, data = document.get("entity"), document.get("action"), document.get("data")
    if not isinstance(entity, str) or not isinstance(action, str) or not isinstance(data, dict):
        raise NotTheShape('not an MLflow webhook: {"entity", "action", "data"} expected')
    return Parsed(
        registry=RegistryChange(
            kind=f"{entity[:40]}.{action[:40]}",
            model=_text(data.get("name")),
            version=_text(data.get("version")),
            alias=_text(data.get("alias")),
        )
    )


def _text(value: object) -> str | None:
    return value[:200] if isinstance(value, str) else None
