"""The data a model in use was trained on, as the reference for deltas and the volume signal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrigger.workspace import Workspace


@dataclass(frozen=True)
class Reference:
    """path → md5 of a reference data set, its digest, and where it comes from."""

    md5s: dict[str, str]
    data_version: str | None
    source: str  # "last retrain" | "baseline run" | "last arrival" | "none"


def trained(workspace: Workspace) -> Reference:
    """The last successful retrain's data, else the baseline run's (from MLflow tags)."""
    from retrigger.signals.context import SignalContext

    ctx = SignalContext(workspace.loaded, workspace.tracking, workspace.clock())
    return from_context(ctx.trained_paths, ctx.trained_data_version,
                        "last retrain" if ctx.last_successful_retrain else "baseline run")


def from_context(paths: dict[str, str], version: str | None, source: str) -> Reference:
    if not paths:
        return Reference({}, None, "none")
    return Reference(dict(paths), version, source)
