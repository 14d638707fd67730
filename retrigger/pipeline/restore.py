"""Put the work tree back after a retrain that promoted nothing: refused, failed, or
nothing-to-train (whose ``dvc repro`` may have restored an earlier, unvalidated model from DVC's
run cache).

``dvc repro`` rewrote ``dvc.lock``, the metrics and the outputs; a model that will not be
promoted must not stay there (the next commit would ship it, the next check would read its
metrics). What the retrain changed — files that were clean before it — is copied under
``.retrigger/challengers/<attempt>/`` for inspection, git-tracked files are checked out from
HEAD, and ``dvc checkout`` brings the outputs back from the cache as the restored ``dvc.lock``
records them. Files the user had changed before the retrain are left as they were.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from retrigger.proc import run

CHALLENGERS = Path(".retrigger") / "challengers"
# `dvc checkout` names each output it changed: "M       model.pkl" (A added, D deleted).
_CHECKED_OUT = re.compile(r"^[AMD]\s+(?P<path>\S.*)$")


@dataclass(frozen=True)
class Restored:
    files: list[str]  # git-tracked files checked out from HEAD
    kept: Path | None  # where the retrain's files are kept, when any was
    problem: str | None  # what could not be restored, if anything
    outputs: list[str] = field(default_factory=list)  # DVC outputs `dvc checkout` put back

    def describe(self) -> str:
        parts = []
        if self.files:
            parts.append(f"{', '.join(self.files)} from git HEAD")
        if self.outputs:
            parts.append(f"{', '.join(self.outputs)} from the DVC cache (`dvc checkout`)")
        text = (
            "restored " + " and ".join(parts)
            if parts
            else "nothing to restore: no git-tracked file or stage output had changed"
        )
        if self.kept is not None:
            text += f"; what the retrain left is kept in {self.kept}"
        return text + (f"; {self.problem}" if self.problem else "")


def dirty(root: Path) -> dict[str, str]:
    """Path → git status code of every changed or untracked file (gitignored ones excluded)."""
    result = run(["git", "status", "--porcelain", "-z", "--untracked-files=all"], root, check=False)
    found: dict[str, str] = {}
    entries = iter(result.stdout.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        found[path] = code
        if code.startswith(("R", "C")):
            next(entries, None)  # a rename's second field is the old path
    return found


def restore(root: Path, before: dict[str, str], keep: list[str], attempt_id: str) -> Restored:
    """Undo what the retrain changed since ``before`` (a ``dirty`` snapshot)."""
    now = dirty(root)
    changed = sorted(p for p, code in now.items() if before.get(p) != code)
    target = root / CHALLENGERS / attempt_id
    kept = [_copy(root / rel, target / rel) for rel in sorted({*changed, *keep})]
    tracked = [p for p in changed if now[p] != "??"]
    problems = []
    if tracked:
        back = run(["git", "checkout", "HEAD", "--", *tracked], root, check=False)
        if back.returncode != 0:
            problems.append(f"git checkout failed: {_last(back.stderr)}")
    outputs: list[str] = []
    if (root / "dvc.yaml").is_file():
        outs = run(["dvc", "checkout", "--force"], root, check=False)
        outputs = [m["path"] for m in map(_CHECKED_OUT.match, outs.stdout.splitlines()) if m]
        if outs.returncode != 0:
            problems.append(
                f"`dvc checkout` could not restore every output "
                f"({_last(outs.stderr or outs.stdout)}); run `dvc pull`"
            )
    where = target.relative_to(root) if any(kept) else None
    return Restored(tracked, where, "; ".join(problems) or None, outputs)


def _copy(source: Path, target: Path) -> bool:
    """Copy a file or folder; False when there was nothing to copy."""
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True)
    elif source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    else:
        return False
    return True


def _last(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"
