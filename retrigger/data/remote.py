"""Does the DVC remote really hold what was pushed? (`dvc push` can exit 0 with objects missing
from the local cache: it only warns.) Used by `retrigger push` and by the retrain pipeline.

A directory remote is checked object by object, in milliseconds; any other remote through
`dvc status --cloud --json`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

from retrigger.data import odb
from retrigger.data.cache import in_cache, read_manifest
from retrigger.data.dvcconfig import parsers
from retrigger.data.versions import out_version
from retrigger.errors import BadInput, WorkFailed
from retrigger.proc import run


def default_remote(root: Path) -> str | None:
    """The project's default DVC remote, read from .dvc/config(.local) without starting dvc;
    falls back to ``dvc remote default`` (global and system configs) when they name none."""
    for parser in parsers(root):
        if parser.has_option("core", "remote"):
            return parser.get("core", "remote").strip().strip("'\"") or None
    result = run(["dvc", "remote", "default"], root, check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def verify_on_remote(
    root: Path, paths: Sequence[str], remote: str | None = None, timeout: float | None = None
) -> None:
    """Raise unless the remote holds every object of ``paths``: BadInput for an object that is
    neither in the local cache nor on the remote (nothing can push it), WorkFailed otherwise."""
    folder = _directory_of(root, remote or default_remote(root))
    if folder is None:
        _verify_with_dvc(root, paths, remote, timeout)
        return
    absent = {path: [o for o in _objects(root, path) if not _on(folder, o)] for path in paths}
    lost = sorted(p for p, objs in absent.items() if any(not in_cache(root, o) for o in objs))
    if lost:
        raise BadInput(_LOST.format(", ".join(lost)))
    unpushed = sorted(p for p, objs in absent.items() if objs)
    if unpushed:
        raise WorkFailed(_UNPUSHED.format(", ".join(unpushed)))


_LOST = (
    "{}: not in the local DVC cache nor on the remote; re-create the data and `dvc add` "
    "it, or `dvc pull` it from where it is"
)
_UNPUSHED = (
    "the DVC remote still lacks {} after `dvc push`; check the remote's space and "
    "permissions and push again"
)


def _directory_of(root: Path, name: str | None) -> Path | None:
    """The folder of a directory remote called ``name``; None for any other kind of remote."""
    for parser in parsers(root):
        for section in parser.sections():
            if section.strip("'\"").replace('"', "").split() == ["remote", str(name)]:
                url = parser.get(section, "url", fallback="").strip().removeprefix("file://")
                if not url or "://" in url:
                    return None
                return (root / ".dvc" / url).resolve()
    return None


def _objects(root: Path, path: str) -> list[str]:
    """The md5s of a tracked path: the file, or a directory's manifest and its files."""
    md5 = out_version(root, path).md5
    if md5 is None:
        return []
    manifest = read_manifest(root, md5) if md5.endswith(".dir") else None
    return [md5, *(manifest or {}).values()]


def _on(folder: Path, md5: str) -> bool:
    return odb.find(folder, md5) is not None  # a directory remote is laid out as the cache


def _verify_with_dvc(
    root: Path, paths: Sequence[str], remote: str | None, timeout: float | None
) -> None:
    args = ["dvc", "status", "--cloud", "--json", *(["-r", remote] if remote else []), *paths]
    try:
        result = run(args, root, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise WorkFailed("`dvc status --cloud` did not answer in time") from None
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise WorkFailed(
            f"cannot ask the DVC remote what it holds: {tail[0]}; check `dvc remote list`"
        )
    try:
        status = json.loads(result.stdout or "{}")
    except ValueError:
        raise WorkFailed("`dvc status --cloud --json` printed no JSON; upgrade DVC") from None
    lost = sorted(p for p, s in status.items() if s == "missing")
    if lost:
        raise BadInput(_LOST.format(", ".join(lost)))
    # "deleted": on the remote but no longer in the local cache — the remote has it.
    unpushed = sorted(p for p, s in status.items() if s != "deleted")
    if unpushed:
        raise WorkFailed(_UNPUSHED.format(", ".join(unpushed)))
