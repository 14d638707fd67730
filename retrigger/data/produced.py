"""What a file the DVC pipeline wrote was computed from, as ``dvc.lock`` records it.

A metrics file names no rows; ``dvc.lock`` does: the stage that wrote it, the md5 of each of
its deps, and, through the stages that wrote those deps, every file upstream. That holds only
while the file on disk is the one the stage wrote (its md5 is the lock's) and the chain is
unbroken (each dep's md5 is what its stage wrote); a broken link is not followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from retrigger.data.odb import file_md5
from retrigger.data.versions import load_yaml, read_text


@dataclass(frozen=True)
class Produced:
    stage: str  # the stage that wrote the file
    inputs: dict[str, str]  # every file upstream of it: path → md5 the stages read


def produced_from(root: Path, path: str) -> Produced | str:
    """The files ``path`` was computed from, or why ``dvc.lock`` cannot say."""
    text = read_text(root, None, "dvc.lock")
    if text is None:
        return f"there is no dvc.lock: nothing records what {path} was computed from"
    stages = load_yaml(text, "dvc.lock").get("stages")
    stages = stages if isinstance(stages, dict) else {}
    writers = _writers(stages)
    norm = str(PurePosixPath(path))
    if norm not in writers:
        return f"{path} is no output of a dvc.lock stage: nothing records which rows it scored"
    stage, recorded = writers[norm]
    where = root / norm
    now = file_md5(where) if where.is_file() else None
    if now != recorded:
        return (
            f"{path} is not what stage {stage} wrote (md5 {str(now)[:8]}, dvc.lock "
            f"{str(recorded)[:8]}): it changed since `dvc repro`"
        )
    return Produced(stage, _upstream(stages, writers, stage))


def _writers(stages: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """Each output path of the lock: the stage that wrote it and its md5."""
    found = {}
    for name, stage in stages.items():
        for entry in _entries(stage, "outs"):
            found[str(PurePosixPath(str(entry["path"])))] = (str(name), _md5(entry))
    return found


def _upstream(
    stages: dict[str, Any], writers: dict[str, tuple[str, str | None]], stage: str
) -> dict[str, str]:
    inputs: dict[str, str] = {}
    todo, seen = [stage], {stage}
    while todo:
        for entry in _entries(stages.get(todo.pop()), "deps"):
            path, md5 = str(PurePosixPath(str(entry["path"]))), _md5(entry)
            if md5 is None:
                continue
            inputs[path] = md5
            writer = writers.get(path)
            # Followed only when the dep is what its stage wrote: the chain is unbroken.
            if writer is not None and writer[1] == md5 and writer[0] not in seen:
                seen.add(writer[0])
                todo.append(writer[0])
    return inputs


def _entries(stage: Any, key: str) -> list[dict[str, Any]]:
    found = stage.get(key) if isinstance(stage, dict) else None
    return [e for e in found or [] if isinstance(e, dict) and e.get("path") is not None]


def _md5(entry: dict[str, Any]) -> str | None:
    md5 = entry.get("md5")
    return str(md5) if md5 is not None else None
