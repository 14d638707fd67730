"""The estimation project's config, champion and ``check --json``, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.models.conftest import Small, registered, save
from tests.support.cli import run_cli


def configure(project: Small, data: str, performance: dict[str, Any], **extra: Any) -> None:
    document = {
        "model": {"name": "m", "metric": "accuracy", "artifact": None, "metrics_file": None},
        "tracking": {
            "uri": project.uri,
            "experiment": "m",
            "artifact_location": (project.root / "artifacts").as_uri(),
        },
        "state": {"url": f"sqlite:///{project.root / 'state.db'}"},
        "signals": {"performance": {"source": "estimated", **performance}},
        "estimation": {"data": data, "reference": "reference.csv", "target": "label"} | extra,
    }
    project.config.write_text(yaml.safe_dump(document))


def champion(project: Small, model: Any, tmp_path: Path) -> str:
    version = registered(project, save(model, tmp_path / "mlmodel"))
    result = run_cli("champion", "set", version, "-c", str(project.config))
    assert result.code == 0, result.err
    return version


def check(project: Small) -> dict[str, Any]:
    result = run_cli("check", "-c", str(project.config), "--json")
    assert result.code == 0, result.err
    (performance,) = json.loads(result.out)["signals"]
    return dict(performance)
