"""What the git / pre-commit hooks do, kept light: stdlib, PyYAML, and nothing else until a
data file really changed (``python -X importtime -m retrigger.hooks data-delta`` shows it).

Every hook exits 0 quickly outside a git work tree, in a repo without DVC, during a rebase,
merge, cherry-pick or revert, and when nothing data-related is staged or pushed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.proc import run

if TYPE_CHECKING:
    from retrigger.config.models import RetriggerConfig

CONFIG_NAMES = ("retrigger.yaml", "retrigger.yml")
_IN_PROGRESS = ("rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD")
_NO_SHA = "0" * 40


class HookRepo:
    """A work tree with DVC, not mid-rebase or merge (a plain class: dataclasses costs a
    commit 10 ms of import)."""

    __slots__ = ("git_dir", "root")

    def __init__(self, root: Path, git_dir: Path) -> None:
        self.root, self.git_dir = root, git_dir


def hook_repo(start: Path) -> HookRepo | None:
    """The repo a hook should act on, or None when the hook has nothing to do here."""
    result = run(["git", "rev-parse", "--show-toplevel", "--absolute-git-dir"], start, check=False)
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) < 2:
        return None  # not a git work tree (or a bare repo)
    root, git_dir = Path(lines[0]), Path(lines[1])
    if not (root / ".dvc").is_dir():
        return None
    if any((git_dir / name).exists() for name in _IN_PROGRESS):
        return None
    return HookRepo(root, git_dir)


def staged_names(root: Path) -> list[str]:
    result = run(
        ["git", "diff", "--cached", "--name-only", "--no-renames", "-z"], root, check=False
    )
    return [name for name in result.stdout.split("\0") if name]


def data_delta_lines(repo: HookRepo, names: Sequence[str]) -> list[str]:
    """One line per tracked path whose staged version differs from HEAD's ([] if none)."""
    from retrigger.githooks.changes import changed_outputs, is_data_file

    data_names = [n for n in names if is_data_file(n)]
    if not data_names:
        return []
    from retrigger.data.delta import compute_delta
    from retrigger.data.versions import INDEX
    from retrigger.gitutil import head_commit

    old_rev = "HEAD" if head_commit(repo.root) else None
    old, new = changed_outputs(repo.root, data_names, old_rev, INDEX)
    watched = configured_data(repo.root)
    if watched is not None:  # models, features, metrics: one line at most, never row counts
        others = sorted(p for p in new if not _under(p, watched))
        old = {p: v for p, v in old.items() if p not in others}
        new = {p: v for p, v in new.items() if p not in others}
    else:
        others = []
    lines = []
    if new:
        report = compute_delta(repo.root, old, new, worktree_new=True)
        lines = [f"retrigger: {line}" for line in report.summary_lines()]
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        lines.append(f"retrigger: {len(others)} other pipeline output(s) changed: {shown}")
    return lines


def configured_data(root: Path) -> list[str] | None:
    """The ``data:`` paths of retrigger.yaml, read with PyYAML alone (a hook stays light);
    None without a config or a ``data:`` list."""
    import yaml

    for name in CONFIG_NAMES:
        try:
            loaded = yaml.safe_load((root / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        data = loaded.get("data") if isinstance(loaded, dict) else None
        if isinstance(data, list) and data:
            return [str(p).rstrip("/") for p in data]
    return None


def _under(path: str, watched: list[str]) -> bool:
    return any(path == w or path.startswith(w + "/") or w.startswith(path + "/") for w in watched)


def dvc_push_ran(root: Path) -> bool:
    """Whether this push ran ``dvc push`` before us: DVC's pre-push hook chained behind ours,
    a team's own pre-push that calls it, or pre-commit's ``dvc-pre-push`` entry."""
    import os

    from retrigger.githooks.install import DVC_SUFFIX, LEGACY_SUFFIX, hooks_dir

    if os.environ.get("PRE_COMMIT_TO_REF") or os.environ.get("PRE_COMMIT"):
        # pre-commit runs the hooks in the file's order: DVC's push must come before ours.
        config = _text(root / ".pre-commit-config.yaml")
        return -1 < config.find("dvc-pre-push") < config.find("retrigger-pre-push")
    folder = hooks_dir(root)
    chained = _text(folder / f"pre-push{LEGACY_SUFFIX}") + _text(folder / f"pre-push{DVC_SUFFIX}")
    return "dvc git-hook pre-push" in chained or "dvc push" in chained


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def config_in(names: Sequence[str]) -> str | None:
    """The retrigger config among changed files, if any."""
    for name in names:
        if name in CONFIG_NAMES:
            return name
    return None


def validate_config(root: Path, name: str) -> RetriggerConfig:
    """The config; ConfigError (the message ``config validate`` prints) when invalid."""
    from retrigger.config import load_config

    return load_config(root / name).config


def pushed_data(root: Path, ref_lines: Sequence[str]) -> tuple[bool, str | None]:
    """Whether a ``git push`` (pre-push stdin lines) carries a change to a data file, and the
    commit the remote had before it (the base the arrival's delta is measured from)."""
    from retrigger.githooks.changes import is_data_file

    carries, base = False, None
    for line in ref_lines:
        parts = line.split()
        if len(parts) != 4 or parts[1] == _NO_SHA:
            continue  # malformed, or a branch deletion
        local, remote = parts[1], parts[3]
        if remote == _NO_SHA:
            carries = True  # a new branch: let the arrival record decide whether it is new
            continue
        result = run(
            ["git", "diff", "--name-only", "--no-renames", remote, local], root, check=False
        )
        if result.returncode != 0:
            carries = True  # an unknown remote commit: better check than miss an arrival
        elif any(is_data_file(n) for n in result.stdout.splitlines()):
            carries, base = True, base or remote
    return carries, base
