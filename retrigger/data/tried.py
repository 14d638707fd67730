"""Were these exact inputs tried already, by a retrain that built nothing promotable?

After a refused retrain, or one whose ``dvc repro`` ran no stage, the work tree is put back to
HEAD's ``dvc.lock``, and what DVC wrote for that retrain is kept under
``.retrigger/challengers/<attempt>/dvc.lock``. When params or code differ from HEAD's lock, but
are what that kept lock records, another retrain would train (or restore from DVC's run cache)
the same model again: refused again, or nothing to train again. HEAD's lock cannot see that —
only the kept one can.

The training stages' inputs are compared with the kept lock in full: the command, every param
value, and every source dependency (one no stage writes; ``data:`` paths excepted, their version
is compared apart). A file is compared by its md5 (DVC 3's hash is the file's plain md5). A
folder, or a DVC 2 entry, is taken as unchanged only when the kept lock and HEAD's agree and
``dvc status`` saw no change to it. Anything that cannot be compared means "not the same".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from retrigger import dvcyaml
from retrigger.data.inputs import Inputs, current_param, training_stages
from retrigger.data.odb import file_md5
from retrigger.data.versions import load_yaml, read_text
from retrigger.errors import BadInput

CHALLENGERS = PurePosixPath(".retrigger") / "challengers"


@dataclass(frozen=True)
class Tried:
    """What the tried lock was read against, for the check's own inputs."""

    root: Path
    artifact: str | None
    data_paths: Collection[str]
    inputs: Inputs  # the comparison with HEAD's dvc.lock (`dvc status`)


def same_as_tried(where: Tried, attempt_ids: Sequence[str]) -> str | None:
    """The first of ``attempt_ids`` whose kept ``dvc.lock`` records exactly the inputs now."""
    head = _stages(read_text(where.root, None, "dvc.lock"))
    for attempt_id in attempt_ids:
        kept = _stages(read_text(where.root, None, str(CHALLENGERS / attempt_id / "dvc.lock")))
        if kept and _same(where, kept, head):
            return attempt_id
    return None


def _stages(text: str | None) -> dict[str, dict[str, Any]]:
    if text is None:
        return {}
    try:
        stages = load_yaml(text, "dvc.lock").get("stages")
    except BadInput:  # an unreadable lock proves nothing
        return {}
    if not isinstance(stages, dict):
        return {}
    return {str(k): v for k, v in stages.items() if isinstance(v, dict)}


def _same(where: Tried, kept: Mapping[str, dict[str, Any]], head: Mapping[str, Any]) -> bool:
    stages = training_stages(kept, where.artifact)
    if sorted(stages) != sorted(where.inputs.stages):
        return False
    commands = _commands(where.root)
    written = {
        _norm(o.get("path"))
        for stage in kept.values()
        for o in stage.get("outs") or []
        if isinstance(o, dict)
    }
    data = [_norm(p) for p in where.data_paths]
    for name in stages:
        stage = kept[name]
        if commands is None or commands.get(name) != stage.get("cmd"):
            return False
        if not _params_same(where.root, stage.get("params") or {}):
            return False
        for dep in stage.get("deps") or []:
            path = _norm(dep.get("path")) if isinstance(dep, dict) else ""
            if path in written or any(path == d or path.startswith(d + "/") for d in data):
                continue
            if not _dep_same(where, name, dep, head.get(name) or {}):
                return False
    return True


def _commands(root: Path) -> dict[str, Any] | None:
    """Each stage's command as dvc.yaml says now (templates resolved, as DVC writes the lock)."""
    try:
        stages = dvcyaml.load(root).get("stages")
    except BadInput:
        return None
    if not isinstance(stages, dict):
        return None
    return {str(k): v.get("cmd") for k, v in stages.items() if isinstance(v, dict)}


def _params_same(root: Path, params: Mapping[str, Any]) -> bool:
    for file, values in params.items():
        if not isinstance(values, dict):
            return False
        for key, value in values.items():
            if current_param(root, str(file), str(key)) != value:
                return False
    return True


def _dep_same(where: Tried, stage: str, dep: Mapping[str, Any], head: Mapping[str, Any]) -> bool:
    path, md5 = str(dep.get("path")), dep.get("md5")
    file = where.root / path
    if dep.get("hash") == "md5" and isinstance(md5, str) and file.is_file():
        return file_md5(file) == md5
    # A folder or a DVC 2 entry: the kept lock agrees with HEAD's, which `dvc status` found
    # unchanged for this dependency.
    in_head = next(
        (d for d in head.get("deps") or [] if isinstance(d, dict) and d.get("path") == path), None
    )
    return (
        in_head is not None
        and md5 is not None
        and in_head.get("md5") == md5
        and (stage, path) not in where.inputs.stale_deps
        and (stage, None) not in where.inputs.stale_deps
    )


def _norm(path: object) -> str:
    return str(PurePosixPath(str(path)))
