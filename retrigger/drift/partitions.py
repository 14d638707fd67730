"""The partitions of a (hive-partitioned) Parquet folder and the fingerprint of each.

A partition is a folder holding Parquet files directly (``date=2024-01-01/part-0.parquet``);
files at the root form the partition ``.``. Its fingerprint names its content for the profile
cache: the md5 DVC recorded for each file when the folder is DVC-tracked (DVC's ``.dir``
manifest), else each file's size and modification time — so an unchanged partition is never
read again, and a rewritten one always is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from retrigger.data import odb

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence


@dataclass(frozen=True)
class Partition:
    """One partition folder: its name relative to the dataset's root, files, bytes, fingerprint."""

    name: str
    files: tuple[str, ...]  # local paths or object-storage URLs, as DuckDB and Spark read them
    bytes: int
    fingerprint: str
    # Object storage: the newest object's last-modified time (seconds since the epoch), which
    # places the partition before or after a run (see drift.remote_trained).
    modified: float | None = None


def discover(root: Path, md5s: Mapping[str, str] | None = None) -> list[Partition]:
    """Every partition under ``root``, by name. ``md5s`` maps a file's path relative to ``root``
    (``/``-separated, as DVC's manifest has it) to its md5; a partition whose files all have one
    is fingerprinted by them, any other by size and mtime."""
    by_folder: dict[Path, list[Path]] = {}
    for path in sorted(root.rglob("*.parquet")):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts):
            by_folder.setdefault(path.parent, []).append(path)
    return [_partition(root, folder, files, md5s or {}) for folder, files in by_folder.items()]


def _partition(root: Path, folder: Path, files: list[Path], md5s: Mapping[str, str]) -> Partition:
    stats = [f.stat() for f in files]
    relpaths = [f.relative_to(root).as_posix() for f in files]
    if all(r in md5s for r in relpaths):
        lines = [_md5_line(r, md5s[r]) for r in relpaths]
    else:
        lines = [
            f"stat\0{r}\0{s.st_size}\0{s.st_mtime_ns}" for r, s in zip(relpaths, stats, strict=True)
        ]
    name = folder.relative_to(root).as_posix()
    return Partition(
        name, tuple(str(f) for f in files), sum(s.st_size for s in stats), _digest(lines)
    )


def _md5_line(relpath: str, md5: str) -> str:
    return f"md5\0{relpath}\0{md5}"


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def from_manifest(manifest: Mapping[str, str], locate: Callable[[str], Path]) -> list[Partition]:
    """The partitions of a DVC directory version: ``manifest`` maps each file's relpath to its
    md5, ``locate`` an md5 to its file in the DVC cache. Fingerprints equal those ``discover``
    gives the same files in a working tree, so both sides share one profile cache."""
    by_folder: dict[str, list[str]] = {}
    for relpath in sorted(manifest):
        pure = PurePosixPath(relpath)
        if pure.suffix == ".parquet" and not any(p.startswith(".") for p in pure.parts):
            by_folder.setdefault(str(pure.parent), []).append(relpath)
    found = []
    for folder, relpaths in by_folder.items():
        files = [locate(manifest[r]) for r in relpaths]
        lines = [_md5_line(r, manifest[r]) for r in relpaths]
        size = sum(f.stat().st_size for f in files)
        found.append(Partition(folder, tuple(str(f) for f in files), size, _digest(lines)))
    return found


def remote_partition(
    name: str, objects: Sequence[tuple[str, int, str]], modified: float | None = None
) -> Partition:
    """A partition of object storage from its objects' (url, size, last-modified time): what
    S3 lists for an object names its content, as an md5 does on disk."""
    lines = [f"etag\0{url}\0{size}\0{etag}" for url, size, etag in sorted(objects)]
    urls = tuple(url for url, _, _ in sorted(objects))
    size = sum(size for _, size, _ in objects)
    return Partition(name, urls, size, _digest(lines), modified)


def dvc_md5s(repo: Path, dir_md5: str) -> dict[str, str]:
    """Each file's md5 from the ``.dir`` manifest DVC cached for a tracked folder (``md5`` of its
    ``.dvc`` entry, ending in ``.dir``); empty when the manifest is not in the local cache."""
    try:
        entries = json.loads(odb.cache_path(repo, dir_md5).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(entries, list):
        return {}
    return {
        str(e["relpath"]): str(e["md5"])
        for e in entries
        if isinstance(e, dict) and "relpath" in e and "md5" in e
    }


def of_version(root: Path, md5: str, name: str) -> list[Partition]:
    """The partitions of a DVC data version in the local cache (a ``.dir`` manifest, or one
    file named ``name``); empty when its manifest is not cached."""
    if md5.endswith(".dir"):
        return from_manifest(dvc_md5s(root, md5), lambda m: odb.cache_path(root, m))
    obj = odb.cache_path(root, md5)
    if not obj.is_file() or not name.endswith(".parquet"):
        return []
    line = _md5_line(PurePosixPath(name).name, md5)
    return [Partition(".", (str(obj),), obj.stat().st_size, _digest([line]))]


def of_worktree(root: Path, path: str, md5: str | None) -> list[Partition]:
    """The partitions of ``path`` in the working tree, fingerprinted by the md5s of its DVC
    version ``md5`` where the files are the ones DVC recorded (else by size and mtime)."""
    local = root / path
    if local.is_file():
        if local.suffix != ".parquet":
            return []
        md5s = {local.name: md5} if md5 and not md5.endswith(".dir") else {}
        return [_partition(local.parent, local.parent, [local], md5s)]
    return discover(local, dvc_md5s(root, md5) if md5 and md5.endswith(".dir") else None)


def local_size(root: Path) -> tuple[int, bool]:
    """Bytes of the files under ``root`` (a file or a folder), and whether any is Parquet."""
    if root.is_file():
        return root.stat().st_size, root.suffix == ".parquet"
    files = [f for f in root.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files), any(f.suffix == ".parquet" for f in files)
