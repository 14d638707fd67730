"""Which tracked data paths a set of changed git files touches (for the hooks).

A hook is handed file names (``git diff --cached --name-only``); only ``.dvc`` files and
``dvc.lock`` can change a data version, and a ``dvc.lock`` change may touch no output at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from retrigger.data.versions import OutVersion, lock_outputs, optional_version


def is_data_file(name: str) -> bool:
    return name.endswith(".dvc") or PurePosixPath(name).name == "dvc.lock"


def changed_outputs(
    root: Path, names: Iterable[str], old_rev: str | None, new_rev: str | None
) -> tuple[dict[str, OutVersion | None], dict[str, OutVersion]]:
    """(old, new) versions of the outputs whose md5 differs between the two revisions.

    ``old_rev`` None means "no commit yet": everything new is an addition. Outputs that
    disappear in ``new_rev`` are left out: no data arrived.
    """
    old: dict[str, OutVersion | None] = {}
    new: dict[str, OutVersion] = {}
    for name in sorted(set(names)):
        if name.endswith(".dvc"):
            path = name[: -len(".dvc")]
            after = optional_version(root, path, new_rev)
            before = optional_version(root, path, old_rev) if old_rev is not None else None
            if after is not None and (before is None or before.md5 != after.md5):
                old[path], new[path] = before, after
        elif name == "dvc.lock":
            after_lock = lock_outputs(root, new_rev)
            before_lock = lock_outputs(root, old_rev) if old_rev is not None else {}
            for path, version in after_lock.items():
                previous = before_lock.get(path)
                if previous is None or previous.md5 != version.md5:
                    old[path], new[path] = previous, version
    return old, new
