"""Recording a promoted retrain in git: the new ``dvc.lock`` (and the metrics git tracks).

Without this commit git still holds the previous model's lock, and ``git checkout … &&
dvc checkout`` of the current commit gives back the old model. Only files the pipeline
rewrites are proposed: lock files, ``.dvc`` files and the metrics file, when git tracks them.
"""

from __future__ import annotations

import shlex
from pathlib import Path, PurePosixPath

from retrigger.errors import WorkFailed
from retrigger.proc import run


def files_to_commit(root: Path, metrics_file: str | None) -> list[str]:
    """Tracked files the retrain changed that belong in its commit (sorted)."""
    result = run(
        ["git", "status", "--porcelain=v1", "-z", "--untracked-files=no"], root, check=False
    )
    changed = [entry[3:] for entry in result.stdout.split("\0") if len(entry) > 3]
    return sorted(name for name in changed if _belongs(name, metrics_file))


def commit_message(model: str, decision_id: str) -> str:
    return f"retrain {model}: decision {decision_id} promoted [retrigger]"


def commit_command(files: list[str], model: str, decision_id: str) -> str:
    """The exact shell line that records the retrain, for a person to run."""
    quoted = " ".join(shlex.quote(name) for name in files)
    return f"git add {quoted} && git commit -m {shlex.quote(commit_message(model, decision_id))}"


def commit(root: Path, files: list[str], model: str, decision_id: str) -> str:
    """Commit exactly ``files``; the new commit id. WorkFailed (git's words) on refusal."""
    added = run(["git", "add", "--", *files], root, check=False)
    done = (
        added
        if added.returncode
        else run(
            ["git", "commit", "-q", "-m", commit_message(model, decision_id), "--", *files],
            root,
            check=False,
        )
    )
    if done.returncode:
        raise WorkFailed(
            f"git could not commit the retrain ({done.stderr.strip()[-300:]}); "
            f"run it yourself: {commit_command(files, model, decision_id)}"
        )
    return run(["git", "rev-parse", "HEAD"], root).stdout.strip()


def _belongs(name: str, metrics_file: str | None) -> bool:
    path = PurePosixPath(name)
    return path.name == "dvc.lock" or path.suffix == ".dvc" or name == metrics_file
