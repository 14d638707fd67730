"""What a DVC project's own files say: dvc.yaml's stages, metrics and artifacts, dvc.lock.

``init`` reads these instead of guessing names: the metrics files are the ``metrics:``
outputs, the model is the ``artifacts:`` entry of ``type: model`` (else the train stage's
output), and the data is what DVC tracks that no stage produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from retrigger.dvcyaml import resolve
from retrigger.errors import BadInput

# A stage whose name says it trains (train, train_model, train_and_evaluate, fit …).
_TRAIN_WORDS = ("train", "fit")


@dataclass(frozen=True)
class Pipeline:
    stages: dict[str, dict[str, Any]]
    metrics_files: tuple[str, ...]  # declared metrics outputs, JSON only (what retrigger reads)
    models: tuple[tuple[str, str], ...]  # (artifact name, path) of `type: model` artifacts
    produced: frozenset[str]  # every path some stage writes


def read_pipeline(root: Path) -> Pipeline:
    """dvc.yaml as retrigger needs it; an empty pipeline when there is none."""
    path = root / "dvc.yaml"
    if not path.is_file():
        return Pipeline({}, (), (), frozenset())
    data = resolve(root, _load(path), path.read_text(encoding="utf-8"))  # DVC's templating
    stages = {
        name: stage
        for name, stage in _mapping(data.get("stages")).items()
        if isinstance(stage, dict)
    }
    metrics = list(_names(data.get("metrics")))
    produced: set[str] = set()
    for stage in stages.values():
        metrics.extend(_names(stage.get("metrics")))
        produced.update(
            _names(stage.get("outs")), _names(stage.get("metrics")), _names(stage.get("plots"))
        )
    models = tuple(
        (str(name), str(item["path"]))
        for name, item in _mapping(data.get("artifacts")).items()
        if isinstance(item, dict) and item.get("type") == "model" and item.get("path")
    )
    return Pipeline(
        stages,
        tuple(dict.fromkeys(m for m in metrics if m.endswith(".json"))),
        models,
        frozenset(produced),
    )


def train_outputs(pipeline: Pipeline) -> tuple[str, ...]:
    """The outputs of the stage that trains (by name), metrics and plots left out."""
    for name, stage in pipeline.stages.items():
        if any(word in name.lower() for word in _TRAIN_WORDS):
            return tuple(_names(stage.get("outs")))
    return ()


def evaluate_stages(pipeline: Pipeline, artifact: str) -> tuple[str, ...]:
    """The stages that read the model and write a metrics file (their own ``metrics:``, or a
    top-level one inside their outputs): each can score any model put at ``artifact``."""
    found = []
    for name, stage in pipeline.stages.items():
        outs = _names(stage.get("outs"))
        inside = [m for m in pipeline.metrics_files for o in outs if _under(m, o)]
        writes_metrics = bool(_names(stage.get("metrics")) or inside)
        if artifact in _names(stage.get("deps")) and writes_metrics:
            found.append(name)
    return tuple(found)


def fetching_stage(pipeline: Pipeline) -> tuple[str, str] | None:
    """(name, outputs) of the first stage that reads nothing another stage writes and writes
    something: the one that downloads or generates the data when DVC tracks none."""
    for name, stage in pipeline.stages.items():
        deps, outs = _names(stage.get("deps")), _names(stage.get("outs"))
        reads_produced = any(_under(dep, out) for dep in deps for out in pipeline.produced)
        trains = any(word in name.lower() for word in _TRAIN_WORDS)
        if outs and not reads_produced and not trains:
            return name, ", ".join(outs)
    return None


def inputs_no_stage_produces(pipeline: Pipeline, tracked: tuple[str, ...]) -> tuple[str, ...]:
    """The DVC-tracked paths (``.dvc`` files) the pipeline reads but does not write.

    Without stages every tracked path counts: the model trains on what the team added.
    """
    if not pipeline.stages:
        return tracked
    deps = {dep for stage in pipeline.stages.values() for dep in _names(stage.get("deps"))}
    used = tuple(
        path
        for path in tracked
        if path not in pipeline.produced
        and (path in deps or any(dep.startswith(path.rstrip("/") + "/") for dep in deps))
    )
    return used or tuple(path for path in tracked if path not in pipeline.produced)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise BadInput(
            f"{path.name}{where}: {problem}; fix dvc.yaml (`dvc repro --dry` "
            "checks it) and run `retrigger init` again"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInput(
            f"{path.name}: the top level must be a mapping (stages:, metrics:, …); "
            "fix dvc.yaml and run `retrigger init` again"
        )
    return data


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _names(entries: Any) -> list[str]:
    """Paths of a dvc.yaml list whose items are ``path`` or ``{path: {options}}``."""
    names: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict):
            names.extend(str(key) for key in entry)
    return names
