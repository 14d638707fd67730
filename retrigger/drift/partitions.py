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
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.data import odb

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class Partition:
    """One partition folder: its name relative to the dataset's root, files, bytes, fingerprint."""

    name: str
    files: tuple[Path, ...]
    bytes: int
    fingerprint: str


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
        lines = [f"md5\0{r}\0{md5s[r]}" for r in relpaths]
    else:
        lines = [
            f"stat\0{r}\0{s.st_size}\0{s.st_mtime_ns}" for r, s in zip(relpaths, stats, strict=True)
        ]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]
    name = folder.relative_to(root).as_posix()
    return Partition(name, tuple(files), sum(s.st_size for s in stats), digest)


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
