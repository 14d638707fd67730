"""Checks of the project against the config that are cheap and must fail before an hour of
``dvc repro``: the model the pipeline writes, the validation rows, the evaluate stage. Run by
``config validate``, ``run`` and ``run --dry-run``; errors are BadInput (exit 2), notes are
things to fix that do not stop a retrain (a champion that will not load with pyfunc).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from retrigger import dvcyaml
from retrigger.config.models import RetriggerConfig
from retrigger.errors import BadInput
from retrigger.pipeline.candidate import NOT_LOADABLE
from retrigger.proc import pipeline_interpreter


def check(root: Path, config: RetriggerConfig) -> list[str]:
    """BadInput for what would make every retrain fail; the notes for the rest."""
    pipeline = config.pipeline  # a pipeline.python without an interpreter or dvc: ConfigError
    pipeline_interpreter(root, pipeline.python, pipeline.env == "retrigger", os.environ)
    outputs = stage_outputs(root)
    notes: list[str] = []
    artifact = config.model.artifact
    if artifact is not None:
        has_pipeline = (root / "dvc.yaml").is_file()  # a project still being set up has none
        if (
            has_pipeline
            and not _produced(artifact, outputs)
            and not (root / f"{artifact}.dvc").is_file()
        ):
            if "${" in artifact:
                raise BadInput(
                    f"model.artifact {artifact!r} is a DVC template; write the path it resolves "
                    f"to ({', '.join(sorted(outputs)) or 'no stage output'}): retrigger reads "
                    "the files DVC writes"
                )
            raise BadInput(
                f"model.artifact {artifact!r} is not an output of any stage in "
                "dvc.yaml (outs or artifacts:); fix model.artifact or the stage, or "
                "set it to null when the pipeline logs its model to MLflow"
            )
        path = root / artifact
        mlmodel = path.is_dir() and (path / "MLmodel").is_file()
        if path.exists() and not mlmodel and config.model.flavor is None:
            notes.append(
                f"model.artifact {artifact} is not an MLflow model: the champion {NOT_LOADABLE}"
            )
    validation = config.validation
    if validation is not None and validation.data is not None:
        data = validation.data
        if (root / data).exists() or not _produced(data, outputs):
            from retrigger.evaluation.scoring import columns_of

            columns_of(root, validation)
    if validation is not None and validation.stage is not None:
        from retrigger.evaluation.stage import check as check_stage

        notes += check_stage(root, validation.stage, artifact, config.model.metric)
    return notes


def stage_outputs(root: Path) -> set[str]:
    """Every path a stage of ``dvc.yaml`` writes (outs, metrics, plots) or declares under
    ``artifacts:``, relative to the repository root."""
    document = dvcyaml.load(root)  # resolved: ${} paths as DVC writes them, foreach expanded
    found: set[str] = set()
    for stage in (document.get("stages") or {}).values():
        if not isinstance(stage, dict):
            continue
        wdir = PurePosixPath(str(stage.get("wdir", ".")))
        for key in ("outs", "metrics", "plots"):
            for entry in stage.get(key) or []:
                name = next(iter(entry)) if isinstance(entry, dict) else entry
                found.add(_normal(wdir / str(name)))
    for artifact in (document.get("artifacts") or {}).values():
        if isinstance(artifact, dict) and artifact.get("path"):
            found.add(_normal(PurePosixPath(str(artifact["path"]))))
    return found


def _normal(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts = parts[:-1]
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _produced(path: str, outputs: set[str]) -> bool:
    wanted = _normal(PurePosixPath(path))
    return any(wanted == out or wanted.startswith(out + "/") for out in outputs)
