"""Which registered model the project serves, and from where: its name, the alias (or legacy
stage) its apps load, as the project's own files and its MLflow registry say.

The name is the one the project registers under (params.yaml), else the registry's (the model
the project's runs registered, or its only model), else one the code loads, else dvc.yaml's
``artifacts:`` name; the folder's name only when nothing says. The alias is the one the code
loads, else the one the registry already holds; a version in the legacy "Production" stage
makes promotion move that stage too (``pipeline.champion_stage``).
"""

from __future__ import annotations

from dataclasses import dataclass

from retrigger.scaffold.code import Served
from retrigger.scaffold.registry import MlflowFacts, Registered
from retrigger.scaffold.tracking import Found

DEFAULT_ALIAS = "champion"
_PREFERRED = ("champion", "production", "prod", "live", "serving")


@dataclass(frozen=True)
class ModelName:
    name: str
    source: str  # where the name came from, in words


@dataclass(frozen=True)
class Where:
    alias: str | tuple[str, ...]  # a tuple: candidates a person chooses from
    stage: str | None  # the legacy stage promotion also moves, when one is in use
    found: tuple[str, ...]  # what was read, in words
    adopt: str | None = None  # a version serving today that holds no alias: the next step


def model_name(
    registered: Found | None,
    artifact: str | None,
    folder: str,
    mlflow: MlflowFacts,
    served: list[Served],
) -> ModelName:
    if registered is not None:
        return ModelName(registered.value, registered.source)
    mine = [m.name for m in mlflow.models if m.run_ids & mlflow.run_ids]
    if len(mine) == 1:
        return ModelName(mine[0], "the MLflow registry: the model this project's runs registered")
    if len(mlflow.models) == 1:
        return ModelName(mlflow.models[0].name, "the MLflow registry: its only registered model")
    named = [s for s in served if "{" not in s.model]
    if named:
        return ModelName(named[0].model, f"{named[0].file} loads models:/{named[0].model}")
    if artifact is not None:
        return ModelName(artifact, "dvc.yaml `artifacts:` (type: model)")
    return ModelName(folder, "the folder's name: nothing in the project names the model")


def where_served(name: str, mlflow: MlflowFacts, served: list[Served]) -> Where:
    """The alias and legacy stage production reads ``name`` from."""
    model = next((m for m in mlflow.models if m.name == name), None)
    mine = [s for s in served if s.model == name or "{" in s.model]
    stage = _stage(model, mine)
    found = [f"registry stage {stage}: promotion moves it too"] if stage else []
    in_code = [s for s in mine if s.alias is not None]
    held = dict(model.aliases) if model is not None else {}
    if in_code:
        alias: str | tuple[str, ...] = str(in_code[0].alias)
        found.insert(0, f"alias @{alias}: {in_code[0].file} loads models:/{name}@{alias}")
    elif not held:
        alias = DEFAULT_ALIAS
    else:
        alias = _held(held)
        if isinstance(alias, str):
            found.insert(0, f"alias @{alias}: the registry's {name} v{held[alias]} holds it")
    return Where(alias, stage, tuple(found), _adopt(model, alias, stage))


def _held(held: dict[str, str]) -> str | tuple[str, ...]:
    if len(held) == 1:
        return next(iter(held))
    for alias in _PREFERRED:
        if alias in held:
            return alias
    return tuple(sorted(held))


def _stage(model: Registered | None, served: list[Served]) -> str | None:
    for item in served:
        if item.stage is not None:
            return item.stage
    stages = {stage for stage, _ in model.stages} if model is not None else set()
    return "Production" if "Production" in stages else None


def _adopt(model: Registered | None, alias: str | tuple[str, ...], stage: str | None) -> str | None:
    """The version in ``stage`` when ``alias`` is not on any version yet: adopting it makes the
    first retrain compete with the model in production, not with the floor alone."""
    if model is None or not isinstance(alias, str) or alias in dict(model.aliases):
        return None
    versions = [v for s, v in model.stages if stage is not None and s == stage]
    return versions[-1] if versions else None
