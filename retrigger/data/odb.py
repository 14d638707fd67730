"""Where DVC keeps an object by its md5: in the local cache and on a directory remote.

DVC 3 stores an output whose entry says ``hash: md5`` under ``files/md5/ab/cdef…``. An entry
without ``hash:`` was written by DVC 2; DVC 3 still reads it, from its "legacy" object database
(hash name ``md5-dos2unix``) at the root: ``ab/cdef…``, in the cache and on the remote alike.
An md5 recorded anywhere (a ``.dvc`` file, ``dvc.lock``, an MLflow tag) is looked up in both,
so it finds its object whichever DVC wrote it, and an old DVC 2 version beside a new DVC 3 one
in the same repository is read too. Fetching is ``dvc fetch``'s own work (``cache.fetch``).

This mirrors DVC's ``CacheManager`` (the ``files/md5`` prefix, the legacy odb at the root)
without importing dvc, which costs a git hook 0.2 s; ``tests/data/test_dvc2_layout.py`` holds
it to DVC's own ``Output.cache_path``, so a layout change in DVC fails there first.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from retrigger.data.dvcconfig import path_option

# (hash name DVC gives the entry, folders between the odb's base and ``ab/cdef…``), newest first.
LAYOUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("md5", ("files", "md5")),  # DVC 3: `hash: md5` in the entry
    ("md5-dos2unix", ()),  # DVC 2: no `hash:` key (DVC 3's "legacy" odb)
)


def object_paths(base: Path, md5: str) -> list[Path]:
    """Every place an object may be under ``base`` (a cache or a directory remote), DVC 3's
    first."""
    return [base.joinpath(*prefix, md5[:2], md5[2:]) for _, prefix in LAYOUTS]


def find(base: Path, md5: str) -> Path | None:
    """The object under ``base`` in whichever layout holds it; None when none does."""
    return next((path for path in object_paths(base, md5) if path.is_file()), None)


def cache_base(root: Path) -> Path:
    """The local cache: ``cache.dir`` of the project's DVC config (`dvc cache dir`, e.g. a
    cache shared by a team's checkouts), else ``.dvc/cache``."""
    return path_option(root, "cache", "dir") or root / ".dvc" / "cache"


def cache_path(root: Path, md5: str) -> Path:
    """The object's file in the local cache; where DVC 3 would put it when it is absent."""
    base = cache_base(root)
    return find(base, md5) or object_paths(base, md5)[0]


def file_md5(path: Path) -> str:
    """The file's md5 (DVC 3's content id for a file), read in 1 MiB blocks."""
    digest = hashlib.md5()  # noqa: S324 - DVC's own content id, not a security use
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
