"""The stages of ``dvc.yaml`` as a graph of what they read and write: which stages lie
downstream of others (the plan, a forced retrain), upstream of them, and which one writes the
model. Read from ``dvc.yaml`` as DVC resolves it (``retrigger.dvcyaml``), without a DVC process."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

Graph = dict[str, tuple[list[str], list[str]]]  # stage → (deps, outs), in dvc.yaml order


def stage_graph(root: Path) -> Graph:
    """Each stage's deps and outs, relative to the repository root (a stage's ``wdir:`` applied,
    as DVC applies it: the model file and the data are named from the root everywhere else)."""
    from retrigger import dvcyaml

    stages = dvcyaml.load(root).get("stages")  # resolved, foreach/matrix stages expanded
    graph: Graph = {}
    for name, stage in stages.items() if isinstance(stages, dict) else []:
        if isinstance(stage, dict):
            wdir = str(stage.get("wdir") or ".")
            deps = [rooted(wdir, p) for p in _paths(stage.get("deps"))]
            graph[str(name)] = (deps, [rooted(wdir, p) for p in _paths(stage.get("outs"))])
    return graph


def rooted(wdir: str, path: str) -> str:
    """``path`` of a stage working in ``wdir``, from the repository root (``..`` folded)."""
    parts: list[str] = []
    for part in (PurePosixPath(wdir) / path.rstrip("/")).parts:
        if part == "..":
            parts = parts[:-1]
        elif part != ".":
            parts.append(part)
    return "/".join(parts) or "."


def downstream(graph: Graph, stale: list[str]) -> list[str]:
    """``stale`` and every stage that depends, directly or not, on what they write."""
    chosen = set(stale)
    changed = True
    while changed:
        changed = False
        written = [out for name in chosen for out in graph.get(name, ([], []))[1]]
        for name, (deps, _) in graph.items():
            if name not in chosen and any(_overlaps(d, o) for d in deps for o in written):
                chosen.add(name)
                changed = True
    return [name for name in graph if name in chosen] + [n for n in stale if n not in graph]


def upstream(graph: Graph, chosen: list[str]) -> list[str]:
    """The stages outside ``chosen`` that write, directly or not, what ``chosen`` read."""
    needed = set(chosen)
    changed = True
    while changed:
        changed = False
        read = [dep for name in needed for dep in graph.get(name, ([], []))[0]]
        for name, (_, outs) in graph.items():
            if name not in needed and any(_overlaps(d, o) for d in read for o in outs):
                needed.add(name)
                changed = True
    return [name for name in graph if name in needed and name not in chosen]


def writer(graph: Graph, path: str) -> str | None:
    """The stage whose outs hold ``path`` (the model file), if one does."""
    return next(
        (name for name, (_, outs) in graph.items() if any(_overlaps(path, o) for o in outs)),
        None,
    )


def _overlaps(dep: str, out: str) -> bool:
    """A dep reads an out when they are the same path or one lies inside the other."""
    dep, out = _normal(dep), _normal(out)
    return dep == out or dep.startswith(out + "/") or out.startswith(dep + "/")


def _normal(path: str) -> str:
    return PurePosixPath(path.rstrip("/")).as_posix()


def _paths(entries: object) -> list[str]:
    """Paths of a deps/outs list: strings, or one-key mappings with options (``- model: {}``)."""
    found: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, dict):
            found.extend(str(key) for key in entry)
    return found
