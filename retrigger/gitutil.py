"""The few git questions retrigger asks, through ``retrigger.proc``."""

from __future__ import annotations

from pathlib import Path

from retrigger.errors import BadInput
from retrigger.proc import run


def repo_root(start: Path) -> Path | None:
    """The top of the git work tree containing ``start``, or None outside git."""
    result = run(["git", "rev-parse", "--show-toplevel"], start, check=False)
    return Path(result.stdout.strip()) if result.returncode == 0 else None


def head_commit(root: Path) -> str | None:
    """The commit checked out, or None in a repo without commits (or outside git)."""
    result = run(["git", "rev-parse", "--verify", "-q", "HEAD"], root, check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def resolve_rev(root: Path, rev: str) -> str:
    """A full commit id for ``rev``; BadInput when git does not know it."""
    result = run(["git", "rev-parse", "--verify", "-q", f"{rev}^{{commit}}"], root, check=False)
    if result.returncode != 0:
        raise BadInput(f"git revision {rev!r} does not exist in {root}; check `git log`")
    return result.stdout.strip()


def show_file(root: Path, rev: str, path: str) -> str | None:
    """The text of ``path`` at ``rev`` (``:`` alone means the index), or None if absent there."""
    spec = f":{path}" if rev == ":" else f"{rev}:{path}"
    result = run(["git", "show", spec], root, check=False)
    return result.stdout if result.returncode == 0 else None
