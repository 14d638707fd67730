"""Where a project already tells MLflow to log: params.yaml, then the environment.

Course projects keep the tracking server and experiment in params.yaml (a ``mlflow_config:``
section with ``remote_server_uri``, ``experiment_name``, ``registered_model_name``); teams
export ``MLFLOW_TRACKING_URI`` and ``MLFLOW_EXPERIMENT_NAME``. Nothing here contacts MLflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Found:
    value: str
    source: str  # "params.yaml: mlflow_config.remote_server_uri" or "$MLFLOW_TRACKING_URI"


@dataclass(frozen=True)
class TrackingFacts:
    uri: Found | None
    experiment: Found | None
    registered_model: Found | None


def tracking_facts(root: Path, environ: Mapping[str, str]) -> TrackingFacts:
    flat = _flat_params(root / "params.yaml")
    uri = _pick(flat, lambda key: key.endswith("uri") and "artifact" not in key)
    experiment = _pick(flat, lambda key: key in ("experiment_name", "experiment"))
    registered = _pick(flat, lambda key: key in ("registered_model_name", "model_name"))
    if registered is None:  # the name mlflow.*.log_model(registered_model_name=…) is given
        registered = next(
            (
                Found(value, f"params.yaml: {dotted}")
                for dotted, value in flat.items()
                if dotted.lower().rsplit(".", 1)[-1] == "registered_model_name"
            ),
            None,
        )
    if uri is None and environ.get("MLFLOW_TRACKING_URI"):
        uri = Found(environ["MLFLOW_TRACKING_URI"], "$MLFLOW_TRACKING_URI")
    if experiment is None and environ.get("MLFLOW_EXPERIMENT_NAME"):
        experiment = Found(environ["MLFLOW_EXPERIMENT_NAME"], "$MLFLOW_EXPERIMENT_NAME")
    return TrackingFacts(uri, experiment, registered)


def _pick(flat: dict[str, str], wanted: Any) -> Found | None:
    """The first value under an ``mlflow`` section whose last key matches ``wanted``."""
    for dotted, value in flat.items():
        parts = dotted.lower().split(".")
        if any("mlflow" in part for part in parts[:-1]) and wanted(parts[-1]):
            return Found(value, f"params.yaml: {dotted}")
    return None


def _flat_params(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}  # params.yaml is the pipeline's business; init only looks for hints
    flat: dict[str, str] = {}
    _walk(data, "", flat)
    return flat


def _walk(node: Any, prefix: str, flat: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _walk(value, f"{prefix}{key}.", flat)
    elif isinstance(node, str) and node.strip() and prefix:
        flat[prefix.rstrip(".")] = node.strip()
