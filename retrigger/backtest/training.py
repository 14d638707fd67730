"""What ``backtest --train`` runs at one commit, and the digest of its inputs.

The training stages are the ``dvc.yaml`` stage that writes ``model.artifact``, the stages that
write what scoring reads (the ``validation.data`` file, the evaluate stage's other
dependencies), and every stage upstream of them. Their *inputs* are what ``dvc.lock`` would
record for them, read from the checked-out commit without running anything: each command, the
md5 of each params file they read, and the md5 of each dependency no training stage writes (from
its ``.dvc`` file for DVC-tracked data, of the file itself for files git tracks). Two commits with
the same inputs train the same model: the digest of the inputs is the key the trained model is
kept under, so a rerun trains nothing twice.

A params file counts whole (DVC counts only the keys a stage names): a change to an unrelated
key trains again, never the reverse.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from retrigger import dvcyaml
from retrigger.data.odb import file_md5
from retrigger.data.versions import WORKTREE, optional_version
from retrigger.errors import BadInput
from retrigger.pipeline.dag import Graph, rooted, stage_graph, upstream, writer


@dataclass(frozen=True)
class Plan:
    """What to run at one commit, what to place there first and what to keep after."""

    targets: tuple[str, ...]  # the stages `dvc repro` is given
    stages: tuple[str, ...]  # with everything upstream of them, in dvc.yaml order
    data: tuple[tuple[str, str], ...]  # DVC-tracked inputs of the stages: (path, md5)
    rows_data: tuple[tuple[str, str], ...]  # DVC-tracked files scoring reads, to place too
    keep: tuple[str, ...]  # outputs kept with the model: the model file, scoring's rows
    key: str  # the digest of the inputs
    inputs: dict[str, Any]  # what the digest is of (kept beside the model: where it came from)
    # The stages' input files no stage writes: (path, DVC md5, or None when git tracks it).
    files: tuple[tuple[str, str | None], ...] = ()
    separate: tuple[str, ...] = ()  # what scoring reads that no stage writes nor trains on


def plan(tree: Path, artifact: str, scoring_reads: Sequence[str], commit: str) -> Plan:
    """The plan at the checked-out ``tree``; BadInput when no stage writes the model."""
    graph = stage_graph(tree)
    model_stage = writer(graph, artifact)
    if model_stage is None:
        raise BadInput(
            f"no stage of dvc.yaml writes model.artifact {artifact!r} at commit {commit[:8]}: "
            "--train trains through the pipeline's stages; add the model to a stage's outs"
        )
    targets = [model_stage]
    rows_data: dict[str, str] = {}
    for path in scoring_reads:
        made_by = writer(graph, path)
        if made_by is not None and made_by not in targets:
            targets.append(made_by)
        elif made_by is None:
            rows_data.update(_dvc_tracked(tree, path))
    data: dict[str, str] = {}
    chosen = set(targets) | set(upstream(graph, targets))
    stages = [name for name in graph if name in chosen]
    inputs = _inputs(tree, graph, stages, data)
    keep = [artifact, *(p for p in scoring_reads if writer(graph, p) is not None)]
    read = [dep for name in stages for dep in graph[name][0]]
    return Plan(
        tuple(targets),
        tuple(stages),
        tuple(sorted(data.items())),
        tuple(sorted(rows_data.items())),
        tuple(dict.fromkeys(keep)),
        digest(inputs),
        inputs,
        _files(tree, graph, stages),
        tuple(
            p
            for p in scoring_reads
            if writer(graph, p) is None and not any(_overlaps(p, dep) for dep in read)
        ),
    )


def _files(tree: Path, graph: Graph, stages: Sequence[str]) -> tuple[tuple[str, str | None], ...]:
    """The stages' input files no stage writes: a DVC-tracked one with its md5, else None."""
    written = [out for name in stages for out in graph[name][1]]
    found: dict[str, str | None] = {}
    for dep in (d for name in stages for d in graph[name][0]):
        if any(_overlaps(dep, out) for out in written):
            continue
        tracked = _dvc_tracked(tree, dep)
        if not tracked:
            found[dep] = None
        elif dep.rstrip("/") in tracked:
            found[dep] = tracked[dep.rstrip("/")]
    return tuple(sorted(found.items()))


def digest(document: object) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - a content id, as DVC's


def inputs_of(tree: Path, paths: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The md5 of each of ``paths`` as they are at ``tree`` (DVC-tracked: its ``.dvc`` file),
    and the DVC-tracked ones to place: (digests, data)."""
    data: dict[str, str] = {}
    found = {}
    for path in paths:
        tracked = _dvc_tracked(tree, path)
        data.update(tracked)
        found[path] = _md5_of(tree, path, tracked)
    return found, data


def _inputs(
    tree: Path, graph: Graph, stages: Sequence[str], data: dict[str, str]
) -> dict[str, Any]:
    document = dvcyaml.load(tree).get("stages") or {}
    written = {out: name for name in stages for out in graph[name][1]}
    found: dict[str, Any] = {}
    for name in stages:
        stage = document.get(name) if isinstance(document, dict) else None
        stage = stage if isinstance(stage, dict) else {}
        deps: dict[str, str] = {}
        for dep in graph[name][0]:
            made_by = next((w for out, w in written.items() if _overlaps(dep, out)), None)
            if made_by is not None:
                deps[dep] = f"stage {made_by}"  # its own inputs are in the digest
                continue
            tracked = _dvc_tracked(tree, dep)
            data.update(tracked)
            deps[dep] = _md5_of(tree, dep, tracked)
        wdir = str(stage.get("wdir") or ".")  # params files are named from it, as deps are
        files = [rooted(wdir, f) for f in _params_files(stage.get("params"))]
        params = {f: _md5_of(tree, f, {}) for f in files}
        found[name] = {"cmd": stage.get("cmd"), "deps": deps, "params": params}
    return found


def _dvc_tracked(tree: Path, path: str) -> dict[str, str]:
    """The DVC-tracked output holding ``path`` (itself, or a tracked folder it lies in)."""
    parts = PurePosixPath(path.rstrip("/")).parts
    for end in range(len(parts), 0, -1):
        holder = str(PurePosixPath(*parts[:end]))
        if not (tree / f"{holder}.dvc").is_file():
            continue
        out = optional_version(tree, holder, WORKTREE)
        if out is not None and out.md5 is not None:
            return {holder: out.md5}
    return {}


def _md5_of(tree: Path, path: str, tracked: dict[str, str]) -> str:
    if tracked:
        ((holder, md5),) = tracked.items()
        inside = PurePosixPath(path).relative_to(holder).as_posix()
        return md5 if inside == "." else f"{md5}/{inside}"
    target = tree / path
    if target.is_file():
        return file_md5(target)
    if target.is_dir():
        files = sorted(p for p in target.rglob("*") if p.is_file())
        return digest([[p.relative_to(target).as_posix(), file_md5(p)] for p in files])
    return "missing"


def _params_files(entries: object) -> list[str]:
    files: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            files.extend(str(name) for name in entry)
        elif "params.yaml" not in files:
            files.append("params.yaml")
    return files


def _overlaps(dep: str, out: str) -> bool:
    dep, out = dep.rstrip("/"), out.rstrip("/")
    return dep == out or dep.startswith(out + "/") or out.startswith(dep + "/")
