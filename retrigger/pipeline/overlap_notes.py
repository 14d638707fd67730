"""What ``config validate`` says about the leakage of ``validation.data``.

Two notes: the rows a stage downstream of a ``data:`` path writes are rebuilt whenever the data
changes, so they may hold rows the champion trained on (read from ``dvc.yaml``, no MLflow); and
how many of today's validation rows the champion did train on (the gate's own count, when
MLflow answers).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from retrigger.config.models import RetriggerConfig


def notes(config_path: Path, root: Path, config: RetriggerConfig) -> list[str]:
    data = config.validation.data if config.validation else None
    if data is None:
        return []
    found = []
    upstream = downstream_of_data(root, data, config.data)
    if upstream is not None:
        stage, source = upstream
        found.append(
            f"validation.data {data} is written by stage {stage}, downstream of data: {source}: "
            "each data change rebuilds it, and it may then hold rows the champion trained on "
            "(the gate counts them and refuses unless validation.allow_overlap: true)"
        )
    counted = _count(config_path, data)
    return [*found, counted] if counted else found


def downstream_of_data(root: Path, target: str, data: list[str]) -> tuple[str, str] | None:
    """(the stage writing ``target``, a ``data:`` path it is built from) per dvc.yaml."""
    stages = _stages(root)
    writer = {out: name for name, stage in stages.items() for out in _list(stage.get("outs"))}
    first = next((n for out, n in writer.items() if _within(target, out)), None)
    if first is None:
        return None
    seen, todo = set(), [first]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for dep in _list(stages[name].get("deps")):
            source = next((d for d in data if _within(dep, d) or _within(d, dep)), None)
            if source is not None:
                return first, source
            todo += [n for out, n in writer.items() if _within(dep, out) or _within(out, dep)]
    return None


def _count(config_path: Path, data: str) -> str | None:
    from retrigger.pipeline import leakage, registry
    from retrigger.workspace import Workspace

    try:
        ws = Workspace.load(config_path)
        config = ws.config
        champ = registry.champion(
            ws.tracking.client, config.model.name, config.pipeline.champion_alias, None
        )
        if leakage.champion_training(ws, champ) is None:
            return None  # no model trained yet, as far as retrigger can tell: nothing to leak
        return f"validation.data {data}: {leakage.check(ws, champ, data).describe()}"
    except Exception as exc:  # MLflow down, no champion run: a note, never a failure here
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return (
            f"validation.data {data}: overlap with the champion's training data unknown: "
            f"{first[:200]}"
        )


def _stages(root: Path) -> dict[str, dict[str, Any]]:
    path = root / "dvc.yaml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}  # preflight reports an unreadable dvc.yaml
    raw = document.get("stages") if isinstance(document, dict) else None
    return (
        {str(k): v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}
    )


def _list(entries: Any) -> list[str]:
    """Paths of a stage's deps or outs (strings, or one-key mappings with options)."""
    found = []
    for entry in entries or []:
        name = next(iter(entry), None) if isinstance(entry, dict) else entry
        if isinstance(name, str):
            found.append(str(PurePosixPath(name)))
    return found


def _within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or inside it."""
    p, f = str(PurePosixPath(path)), str(PurePosixPath(folder))
    return p == f or p.startswith(f"{f}/")
