"""``retrigger delta``: pick the two sides a user means, then measure the delta between them.

Old side: ``REV_A``, else the data the model in use was trained on (MLflow). New side:
``REV_B``, else the index with ``--staged``, else the working tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.data.delta import DeltaReport, compute_delta, from_md5s
from retrigger.data.versions import INDEX, WORKTREE, optional_version, out_version
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from retrigger.workspace import Workspace


@dataclass(frozen=True)
class DeltaRequest:
    rev_a: str | None = None
    rev_b: str | None = None
    staged: bool = False
    fetch: bool = False


@dataclass(frozen=True)
class Compared:
    report: DeltaReport
    old_label: str
    new_label: str


def delta(workspace: Workspace, request: DeltaRequest) -> Compared:
    root, paths = workspace.root, list(workspace.config.data)
    if request.rev_b is not None and request.staged:
        raise BadInput(
            "give either REV_B or --staged, not both: --staged means the index is the new side"
        )
    if not paths:
        raise BadInput(
            "`data:` in retrigger.yaml is empty; list the DVC-tracked paths the model trains on"
        )
    check_repo(root)
    new_rev, new_label = _new_side(root, request)
    new = {p: out_version(root, p, new_rev) for p in paths}
    if request.rev_a is not None:
        old_rev = _commit(root, request.rev_a)
        old = {p: optional_version(root, p, old_rev) for p in paths}
        report = compute_delta(
            root, old, new, fetch_missing=request.fetch, worktree_new=new_rev in (WORKTREE, INDEX)
        )
        return Compared(report, request.rev_a, new_label)
    from retrigger.lineage.trained import trained

    ref = trained(workspace.tracking)
    report = compute_delta(
        root,
        from_md5s(paths, ref.md5s),
        new,
        old_version=ref.data_version,
        fetch_missing=request.fetch,
        worktree_new=new_rev in (WORKTREE, INDEX),
    )
    return Compared(report, ref.source, new_label)


def check_repo(root: Path) -> None:
    """BadInput unless ``root`` is a git work tree with DVC initialised."""
    from retrigger.gitutil import repo_root

    if repo_root(root) is None:
        raise BadInput(f"{root} is not a git repository; run `git init` (and `dvc init`) there")
    if not (root / ".dvc").is_dir():
        raise BadInput(f"DVC is not initialised in {root}; run `dvc init`")


def _new_side(root: Path, request: DeltaRequest) -> tuple[str | None, str]:
    if request.rev_b is not None:
        return _commit(root, request.rev_b), request.rev_b
    return (INDEX, "index") if request.staged else (WORKTREE, "working tree")


def _commit(root: Path, rev: str) -> str:
    from retrigger.gitutil import resolve_rev

    return resolve_rev(root, rev)
