"""Which version of each DVC-tracked data path is where: working tree, index, or a revision.

Reads ``.dvc`` files and ``dvc.lock`` directly (YAML), never imports dvc or mlflow, so the git
hooks can call it in milliseconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from retrigger.errors import BadInput
from retrigger.gitutil import show_file

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
WORKTREE: str | None = None  # rev value meaning "the files on disk"
INDEX = ":"  # rev value meaning "what is staged"


class NotTracked(BadInput):
    """A data path that DVC does not track at the revision asked about."""


@dataclass(frozen=True)
class OutVersion:
    """One DVC output at one point in time."""

    path: str
    md5: str | None
    size: int | None
    nfiles: int | None

    @property
    def is_dir(self) -> bool:
        return self.md5 is not None and self.md5.endswith(".dir")

    def as_json(self) -> dict[str, object]:
        return {"md5": self.md5, "bytes": self.size, "files": self.nfiles}


def read_text(root: Path, rev: str | None, path: str) -> str | None:
    """A file's text in the working tree (rev None), the index (":") or at a git revision."""
    if rev is None:  # WORKTREE
        target = root / path
        return target.read_text(encoding="utf-8") if target.is_file() else None
    return show_file(root, rev, path)


def out_version(root: Path, path: str, rev: str | None = WORKTREE) -> OutVersion:
    """The version of a tracked ``path``, from ``path.dvc`` or from ``dvc.lock`` outputs."""
    norm = str(PurePosixPath(path))
    dvc_text = read_text(root, rev, f"{norm}.dvc")
    if dvc_text is not None:
        return _from_dvc_file(_load_yaml(dvc_text, f"{norm}.dvc"), norm)
    lock_text = read_text(root, rev, "dvc.lock")
    if lock_text is not None:
        found = _from_lock(_load_yaml(lock_text, "dvc.lock"), norm)
        if found is not None:
            return found
    where = "the working tree" if rev is WORKTREE else ("the index" if rev == INDEX else rev)
    raise NotTracked(
        f"data path {norm!r} is not tracked by DVC in {where} (no {norm}.dvc, not an output in "
        f"dvc.lock); run `dvc add {norm}` or fix `data:` in retrigger.yaml"
    )


def optional_version(root: Path, path: str, rev: str | None) -> OutVersion | None:
    """A path's version, or None where it was not tracked (yet): an older commit, a new path."""
    try:
        return out_version(root, path, rev)
    except NotTracked:
        return None


def data_version(outs: Iterable[OutVersion]) -> str:
    """One stable digest for a set of data versions: same paths and md5s, same digest."""
    joined = "\n".join(sorted(f"{out.path}\t{out.md5}" for out in outs))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def versions(root: Path, paths: Sequence[str], rev: str | None = WORKTREE) -> list[OutVersion]:
    return [out_version(root, path, rev) for path in paths]


def _load_yaml(text: str, name: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C when built
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise BadInput(f"{name}{line} is not valid YAML; restore it with `git checkout`") from None
    if not isinstance(data, dict):
        raise BadInput(f"{name} is not a DVC file (expected a mapping); restore it with git")
    return data


load_yaml = _load_yaml  # for the other readers of DVC files in this room


def lock_outputs(root: Path, rev: str | None = WORKTREE) -> dict[str, OutVersion]:
    """Every output recorded in ``dvc.lock`` at ``rev`` (empty when there is none)."""
    text = read_text(root, rev, "dvc.lock")
    if text is None:
        return {}
    stages = _load_yaml(text, "dvc.lock").get("stages")
    found: dict[str, OutVersion] = {}
    for stage in stages.values() if isinstance(stages, dict) else []:
        for entry in (stage or {}).get("outs", []) or []:
            if isinstance(entry, dict) and entry.get("path") is not None:
                path = str(PurePosixPath(str(entry["path"])))
                found[path] = _out_from_entry(entry, path)
    return found


def _out_from_entry(entry: dict[str, Any], path: str) -> OutVersion:
    md5 = entry.get("md5")
    size = entry.get("size")
    nfiles = entry.get("nfiles")
    return OutVersion(
        path=path,
        md5=str(md5) if md5 is not None else None,
        size=int(size) if isinstance(size, int) else None,
        nfiles=int(nfiles) if isinstance(nfiles, int) else (None if md5 is None else 1),
    )


def _from_dvc_file(data: dict[str, Any], path: str) -> OutVersion:
    outs = data.get("outs")
    if not isinstance(outs, list) or not outs or not isinstance(outs[0], dict):
        raise BadInput(f"{path}.dvc has no `outs:` entry; re-create it with `dvc add {path}`")
    return _out_from_entry(outs[0], path)


def _from_lock(data: dict[str, Any], path: str) -> OutVersion | None:
    stages = data.get("stages")
    if not isinstance(stages, dict):
        return None
    for stage in stages.values():
        for entry in (stage or {}).get("outs", []) or []:
            if isinstance(entry, dict) and str(PurePosixPath(str(entry.get("path")))) == path:
                return _out_from_entry(entry, path)
    return None
