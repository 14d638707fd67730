"""Data tracked as DVC 2 did it, for DVC 3 (installed) to read as its "legacy" layout.

DVC 2 wrote ``.dvc`` and ``dvc.lock`` entries with ``md5``, ``size`` (``nfiles`` for a
directory) and ``path`` only, no ``hash:`` key, e.g. (a real DVC 2 ``data.dvc``)::

    outs:
    - md5: b8d81f4964ecb86739c79c833fb491f3.dir
      size: 494728
      nfiles: 2
      path: data

and kept objects at the cache's and the directory remote's root, ``ab/cdef…``, not under
DVC 3's ``files/md5/``. A directory's ``.dir`` object is the JSON list of its files
(``{"md5", "relpath"}``, sorted by relpath). The md5 of a text file was computed after turning
CRLF into LF ("md5-dos2unix"); the data here has LF endings only, so it is the plain md5.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path, PurePosixPath


def add(root: Path, path: str) -> str:
    """What ``dvc add PATH`` did under DVC 2: objects in the legacy cache, the ``.dvc`` file
    without ``hash:``, the path in its folder's ``.gitignore``. Returns the md5."""
    target = root / path
    cache = root / ".dvc" / "cache"
    if target.is_dir():
        files = sorted(p for p in target.rglob("*") if p.is_file())
        entries = [
            {"md5": _store(cache, p.read_bytes()), "relpath": p.relative_to(target).as_posix()}
            for p in files
        ]
        manifest = json.dumps(entries, sort_keys=True).encode()
        md5 = _store(cache, manifest, suffix=".dir")
        size = sum(p.stat().st_size for p in files)
        counts = f"  size: {size}\n  nfiles: {len(files)}\n"
    else:
        md5 = _store(cache, target.read_bytes())
        counts = f"  size: {target.stat().st_size}\n"
    name = PurePosixPath(path).name
    (root / f"{path}.dvc").write_text(f"outs:\n- md5: {md5}\n{counts}  path: {name}\n")
    ignore = target.parent / ".gitignore"
    lines = ignore.read_text().splitlines() if ignore.is_file() else []
    if f"/{name}" not in lines:
        ignore.write_text("\n".join([*lines, f"/{name}"]) + "\n")
    return md5


def downgrade(root: Path, *remotes: Path) -> None:
    """Turn a DVC 3 project into what DVC 2 left: no ``hash: md5`` in any ``.dvc`` file or in
    ``dvc.lock``, objects moved from ``files/md5/`` to the root of the cache and remotes."""
    dvc_files = [p for p in root.rglob("*.dvc") if ".dvc" not in p.relative_to(root).parts[:1]]
    for text_file in [*dvc_files, root / "dvc.lock"]:
        if text_file.is_file():
            lines = text_file.read_text().splitlines(keepends=True)
            text_file.write_text("".join(line for line in lines if line.strip() != "hash: md5"))
    for base in (root / ".dvc" / "cache", *remotes):
        to_legacy(base)


def to_legacy(base: Path) -> None:
    """Move a cache's or directory remote's DVC 3 objects to where DVC 2 kept them."""
    new = base / "files" / "md5"
    if not new.is_dir():
        return
    for obj in new.rglob("*"):
        if obj.is_file():
            legacy = base / obj.relative_to(new)
            legacy.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(obj, legacy)
    shutil.rmtree(base / "files")


def layout_is_dvc2(base: Path) -> bool:
    """Objects only at the root of a cache or directory remote, none under ``files/`` (the
    run cache, ``runs/``, is the same in both)."""
    objects = [p for p in base.rglob("*") if p.is_file() and p.relative_to(base).parts[0] != "runs"]
    return bool(objects) and all(
        len(p.relative_to(base).parts) == 2 and len(p.parent.name) == 2 for p in objects
    )


def _store(cache: Path, content: bytes, suffix: str = "") -> str:
    md5 = hashlib.md5(content).hexdigest() + suffix  # DVC 2 content id
    obj = cache / md5[:2] / md5[2:]
    obj.parent.mkdir(parents=True, exist_ok=True)
    obj.write_bytes(content)
    return md5
