"""What ``retrigger init`` needs to know about the project it is run in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from retrigger.errors import BadInput
from retrigger.gitutil import repo_root
from retrigger.proc import run

DEFAULT_METRIC = "accuracy"
DEFAULT_METRICS_FILE = "metrics.json"


@dataclass(frozen=True)
class ProjectFacts:
    root: Path
    model: str  # MLflow registered model name
    model_id: str  # the same, safe for Kubernetes names and Airflow DAG ids
    metric: str
    metrics_file: str
    data: tuple[str, ...]  # DVC-tracked paths (from the .dvc files git knows)
    install: str  # the shell line that installs the project on a CI runner


def inspect_project(start: Path) -> ProjectFacts:
    """Facts about the git + DVC project around ``start``; BadInput anywhere else."""
    root = repo_root(start) if start.is_dir() else None
    if root is None:
        raise BadInput(f"{start} is not inside a git repository; run `retrigger init` in your "
                       "project (or `git init && dvc init` first)")
    if not (root / ".dvc").is_dir():
        raise BadInput(f"{root} is not a DVC project (no .dvc folder); run `dvc init` there "
                       "first, then `retrigger init`")
    model = _model_name(root.name)
    metrics_file = _metrics_file(root)
    return ProjectFacts(
        root=root, model=model, model_id=model.replace("_", "-")[:40].strip("-") or "model",
        metric=_metric(root / metrics_file), metrics_file=metrics_file,
        data=_tracked_data(root), install=_install_line(root),
    )


def _model_name(folder: str) -> str:
    name = re.sub(r"[^a-z0-9_-]+", "-", folder.lower()).strip("-_")
    return name or "model"


def _metrics_file(root: Path) -> str:
    """The first metrics file the DVC pipeline declares, else metrics.json."""
    try:
        stages = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return DEFAULT_METRICS_FILE
    for stage in stages.values() if isinstance(stages, dict) else []:
        for entry in (stage or {}).get("metrics", []) if isinstance(stage, dict) else []:
            name = next(iter(entry)) if isinstance(entry, dict) and entry else entry
            if isinstance(name, str) and name.endswith(".json"):
                return name
    return DEFAULT_METRICS_FILE


def _metric(path: Path) -> str:
    """``accuracy`` when the metrics file has it (or does not exist), else its first number."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DEFAULT_METRIC
    if not isinstance(data, dict) or DEFAULT_METRIC in data:
        return DEFAULT_METRIC
    numbers = [k for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)]
    return numbers[0] if numbers else DEFAULT_METRIC


def _tracked_data(root: Path) -> tuple[str, ...]:
    listed = run(["git", "ls-files", "--", "*.dvc"], root, check=False).stdout.split()
    return tuple(sorted(name.removesuffix(".dvc") for name in listed if name.endswith(".dvc")))


def _install_line(root: Path) -> str:
    if (root / "requirements.txt").is_file():
        return "pip install -r requirements.txt  # must list retrigger and dvc"
    if (root / "pyproject.toml").is_file() or (root / "setup.py").is_file():
        return "pip install .  # your project's dependencies must include retrigger and dvc"
    return "pip install retrigger"
