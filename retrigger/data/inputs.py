"""Did anything the training depends on change, besides the ``data:`` versions?

"The same inputs" is what ``dvc status`` calls unchanged, for the stage that writes the model
and every stage upstream of it: their deps (code, other data) and params, against ``dvc.lock``;
and ``dvc.lock`` itself against the one at the commit the model in use was trained at (when that
commit is in the clone). The ``data:`` paths are left out: their versions are compared apart.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from retrigger.data.versions import load_yaml, read_text
from retrigger.proc import run

_STATUS_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Inputs:
    """``stages``: the training stages compared; ``changed``: one line per changed input.
    ``unknown``: why they could not be compared (then nothing is called identical)."""

    stages: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unknown: str | None = None
    # The part of ``changed`` that `dvc status` sees (against dvc.lock): what a repro would run.
    stale: tuple[str, ...] = ()
    # The (stage, dep path) pairs among ``stale``; a stage changed as a whole (its command, an
    # "always changed" stage) is there with path None.
    stale_deps: frozenset[tuple[str, str | None]] = frozenset()

    @property
    def identical(self) -> bool:
        return self.unknown is None and not self.changed


def compare_inputs(
    root: Path, artifact: str | None, data_paths: Collection[str], trained_commit: str | None
) -> Inputs:
    """The training stages' inputs now, against ``dvc.lock`` and the trained commit's lock."""
    lock_text = read_text(root, None, "dvc.lock")
    if lock_text is None:
        return Inputs()  # no pipeline: the data versions are the inputs
    lock = _stages(load_yaml(lock_text, "dvc.lock"))
    stages = training_stages(lock, artifact)
    skip = {str(PurePosixPath(p)) for p in data_paths}
    try:
        found = _status_changes(root, stages, skip)
    except RuntimeError as exc:
        return Inputs(tuple(stages), (), str(exc))
    changed = [line for line, _, _ in found]
    stale = tuple(changed)
    if trained_commit and _has_commit(root, trained_commit):  # a shallow clone may lack it
        changed += _commit_changes(root, lock, stages, skip, trained_commit)
    deps = frozenset((stage, path) for _, stage, path in found)
    return Inputs(tuple(stages), tuple(changed), stale=stale, stale_deps=deps)


def _has_commit(root: Path, commit: str) -> bool:
    result = run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], root, check=False)
    return result.returncode == 0


def _stages(lock: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    stages = lock.get("stages")
    return (
        {str(k): v for k, v in stages.items() if isinstance(v, dict)}
        if isinstance(stages, dict)
        else {}
    )


def training_stages(lock: Mapping[str, dict[str, Any]], artifact: str | None) -> list[str]:
    """The stage whose outs hold ``artifact`` and every stage upstream of it (all stages when
    none writes it, or the pipeline logs its model to MLflow: ``model.artifact: null``)."""
    writer = {
        str(PurePosixPath(str(o.get("path")))): name
        for name, stage in lock.items()
        for o in stage.get("outs") or []
        if isinstance(o, dict)
    }
    target = writer.get(str(PurePosixPath(artifact))) if artifact else None
    if target is None:
        return sorted(lock)
    found, todo = set(), [target]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        for dep in lock[name].get("deps") or []:
            upstream = writer.get(str(PurePosixPath(str(dep.get("path")))))
            if upstream is not None:
                todo.append(upstream)
    return sorted(found)


def _status_changes(
    root: Path, stages: list[str], skip: set[str]
) -> list[tuple[str, str, str | None]]:
    """One (line, stage, dep path or None) per change `dvc status` reports."""
    try:
        result = run(["dvc", "status", "--json"], root, check=False, timeout=_STATUS_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise RuntimeError("`dvc status` did not answer in time") from None
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"`dvc status` failed: {tail[0]}")
    try:
        status = json.loads(result.stdout or "{}")
    except ValueError:
        raise RuntimeError("`dvc status --json` printed no JSON") from None
    changed: list[tuple[str, str, str | None]] = []
    for stage in stages:
        for entry in status.get(stage) or []:
            if isinstance(entry, str):  # "always changed", "changed checksum"
                changed.append((f"{stage}: {entry}", stage, None))
                continue
            for path, how in (entry.get("changed deps") or {}).items():
                if str(PurePosixPath(path)) in skip:
                    continue
                items = how.items() if isinstance(how, dict) else [(None, how)]
                changed += [
                    (f"{stage}: {path}{f' {key}' if key else ''} {state}", stage, path)
                    for key, state in items
                ]
            if "changed command" in entry:
                changed.append((f"{stage}: command changed", stage, None))
    return changed


def _commit_changes(
    root: Path, lock: Mapping[str, dict[str, Any]], stages: list[str], skip: set[str], commit: str
) -> list[str]:
    """Source deps (no stage writes them) and params of the training stages that differ between
    the trained commit and the working tree. Its dvc.lock is not compared: a retrain starts at
    that commit, so its lock describes the training before it."""
    written = {
        str(PurePosixPath(str(o.get("path"))))
        for stage in lock.values()
        for o in stage.get("outs") or []
        if isinstance(o, dict)
    }
    sources: set[str] = set()
    params: dict[str, set[str]] = {}
    for stage in stages:
        sources |= {p for p in _deps(lock[stage], skip) if p not in written}
        for file, values in (lock[stage].get("params") or {}).items():
            params.setdefault(str(file), set()).update(values or {})
    changed = []
    if sources:
        result = run(
            ["git", "diff", "--name-only", commit, "--", *sorted(sources)], root, check=False
        )
        changed += [
            f"{name} differs from the trained commit {commit[:8]}"
            for name in result.stdout.splitlines()
            if name
        ]
    for file, keys in sorted(params.items()):
        before, after = _params(root, commit, file), _params(root, None, file)
        changed += [
            f"{file} {key} differs from the trained commit {commit[:8]}"
            for key in sorted(keys)
            if _lookup(before, key) != _lookup(after, key)
        ]
    return changed


def current_param(root: Path, file: str, key: str) -> Any:
    """The value of ``key`` (dotted) in the working tree's params ``file``, None when absent."""
    return _lookup(_params(root, None, file), key)


def _params(root: Path, rev: str | None, file: str) -> Any:
    import yaml

    text = read_text(root, rev, file)
    try:
        return yaml.safe_load(text) if text is not None else None
    except yaml.YAMLError:
        return None


def _lookup(document: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(document, dict):
            return None
        document = document.get(part)
    return document


def _deps(stage: Mapping[str, Any], skip: set[str]) -> list[str]:
    paths = [
        str(PurePosixPath(str(d.get("path"))))
        for d in stage.get("deps") or []
        if isinstance(d, dict)
    ]
    return [p for p in paths if p not in skip]
