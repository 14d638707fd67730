"""What the local DVC cache holds: objects by md5, ``.dir`` manifests, and fetching what is not.

Shared by the deltas, the volume signal and ``retrigger push``; never imports dvc (``dvc fetch``
runs as a subprocess only when the user asks for it).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from retrigger.data.odb import cache_path
from retrigger.errors import BadInput, WorkFailed
from retrigger.proc import run

Manifest = dict[str, str]  # relpath → md5 of one file inside a tracked directory


def in_cache(root: Path, md5: str) -> bool:
    return cache_path(root, md5).is_file()


def read_manifest(root: Path, md5: str) -> Manifest | None:
    """The files of a directory version (``md5`` ends with ``.dir``); None if not in cache."""
    obj = cache_path(root, md5)
    if not obj.is_file():
        return None
    try:
        entries = json.loads(obj.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BadInput(
            f"the DVC directory manifest {obj} is unreadable; remove it and run `dvc fetch` again"
        ) from None
    if not isinstance(entries, list):
        raise BadInput(
            f"the DVC directory manifest {obj} is not a list; remove it and run `dvc fetch` again"
        )
    return {
        str(e["relpath"]): str(e["md5"])
        for e in entries
        if isinstance(e, dict) and "relpath" in e and "md5" in e
    }


def missing(root: Path, md5: str) -> bool:
    """Whether any object of a version is absent: the file, or a directory's manifest or files."""
    if not in_cache(root, md5):
        return True
    if not md5.endswith(".dir"):
        return False
    manifest = read_manifest(root, md5) or {}
    return any(not in_cache(root, file_md5) for file_md5 in manifest.values())


def visible(relpath: str) -> bool:
    """Files DVC tracks inside a directory that are data, not hidden bookkeeping."""
    return not any(part.startswith(".") for part in PurePosixPath(relpath).parts)


def fetch(
    root: Path,
    items: Iterable[tuple[str, str]],
    timeout: float | None = None,
    remote: str | None = None,
) -> list[tuple[str, str]]:
    """``dvc fetch`` objects by md5, whatever revision or run recorded them; returns the
    (path, md5) pairs now in the cache that were not (``dvc fetch`` exits 0 when the remote
    lacks an object: only what arrived is returned).

    DVC fetches targets, not hashes, so each (path, md5) becomes throwaway ``.dvc`` files
    naming that md5, one as DVC 3 writes it and one as DVC 2 did (no ``hash:``): an md5 does
    not say which DVC recorded it, and DVC looks for each where that DVC put it on the remote.
    The files are removed whatever happens. ``timeout`` (seconds) bounds ``dvc fetch``:
    reaching it raises ``WorkFailed`` naming ``remote``.
    """
    wanted = [(path, md5) for path, md5 in items if missing(root, md5)]
    if not wanted:
        return []
    folder = root / ".retrigger-fetch"
    folder.mkdir(exist_ok=True)
    targets = []
    try:
        for number, (path, md5) in enumerate(wanted):
            for layout, hash_line in (("3", "  hash: md5\n"), ("2", "")):
                target = folder / f"{number}-dvc{layout}.dvc"
                name = f"{number}-dvc{layout}-{PurePosixPath(path).name}"
                target.write_text(f"outs:\n- md5: {md5}\n{hash_line}  path: {name}\n")
                targets.append(str(target.relative_to(root)))
        result = run(["dvc", "fetch", "-q", *targets], root, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        where = f"remote {remote!r}" if remote else "the DVC remote"
        raise WorkFailed(
            f"`dvc fetch` from {where} did not finish within {timeout:g}s; raise "
            "data_fetch.timeout or check the remote"
        ) from None
    finally:
        for target_name in targets:
            (root / target_name).unlink(missing_ok=True)
        _remove_quietly(folder)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise WorkFailed(f"`dvc fetch` failed: {tail[0]}; check the DVC remote (`dvc remote list`)")
    return [(path, md5) for path, md5 in wanted if not missing(root, md5)]


def _remove_quietly(folder: Path) -> None:
    try:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()
    except OSError:
        pass
