"""``retrigger champion set|show``: which registry version holds the champion alias.

``set`` adopts an existing version (the team's production model, e.g. one still in the legacy
"Production" stage) so the first retrain is judged against it, not promoted on the floor alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retrigger.errors import BadInput
from retrigger.lineage import tags
from retrigger.pipeline import registry
from retrigger.workspace import Workspace


@dataclass(frozen=True)
class ChampionInfo:
    model: str
    alias: str
    version: str
    run_id: str | None
    source: str
    loadable: bool
    recorded_metric: float | None
    stage: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "alias": self.alias,
            "version": self.version,
            "run_id": self.run_id,
            "source": self.source,
            "loadable": self.loadable,
            "recorded_metric": self.recorded_metric,
            "stage": self.stage,
            "uri": f"models:/{self.model}@{self.alias}",
        }


def set_champion(workspace: Workspace, version: str) -> ChampionInfo:
    """Point the champion alias at ``version`` (a number, models:/NAME/N or models:/NAME@A)."""
    name = workspace.config.model.name
    alias = workspace.config.pipeline.champion_alias
    client = workspace.tracking.client
    uri = version if version.startswith("models:/") else f"models:/{name}/{version}"
    if not version.startswith("models:/") and not version.isdigit():
        raise BadInput(
            f"champion version {version!r} is not a number nor a models:/ URI; "
            f"e.g. `retrigger champion set 3` or `models:/{name}@production`"
        )
    found_name, number = registry.version_of(client, uri)
    if found_name != name:
        raise BadInput(f"{uri} is a version of {found_name!r}, not of model.name {name!r}")
    client.set_registered_model_alias(name, alias, number)
    client.set_model_version_tag(name, number, tags.ADOPTED, "true")
    shown = show_champion(workspace)
    assert shown is not None
    return shown


def show_champion(workspace: Workspace) -> ChampionInfo | None:
    config = workspace.config
    client = workspace.tracking.client
    found = registry.champion(
        client, config.model.name, config.pipeline.champion_alias, config.model.metric
    )
    if found is None:
        return None
    version = client.get_model_version(config.model.name, found.version)
    return ChampionInfo(
        config.model.name,
        config.pipeline.champion_alias,
        found.version,
        found.run_id,
        str(version.source),
        registry.loadable(client, str(version.source)),
        found.recorded_metric,
        getattr(version, "current_stage", None),
    )
