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
CRLF into LF in blocks that look like text ("md5-dos2unix"), the object kept as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path, PurePosixPath

import yaml


def add(root: Path, path: str) -> str:
    """What ``dvc add PATH`` did under DVC 2: objects in the legacy cache, the ``.dvc`` file
    without ``hash:``, the path in its folder's ``.gitignore``. Returns the md5."""
    md5, counts = _track(root, root / path)
    name = PurePosixPath(path).name
    (root / f"{path}.dvc").write_text(f"outs:\n- md5: {md5}\n{counts}  path: {name}\n")
    ignore = (root / path).parent / ".gitignore"
    lines = ignore.read_text().splitlines() if ignore.is_file() else []
    if f"/{name}" not in lines:
        ignore.write_text("\n".join([*lines, f"/{name}"]) + "\n")
    return md5


def downgrade(root: Path, remote: Path | None = None) -> None:
    """Turn a DVC 3 project into what DVC 2 left for its work tree: every ``.dvc`` file and
    ``dvc.lock`` entry re-hashed as DVC 2 hashed (md5-dos2unix) without ``hash:``, objects in
    the legacy cache only, and ``remote`` emptied (push again: DVC 3 pushes them DVC 2's way).
    """
    for dvc_file in root.rglob("*.dvc"):
        if dvc_file.is_file() and dvc_file.relative_to(root).parts[0] != ".dvc":
            add(root, dvc_file.relative_to(root).with_suffix("").as_posix())
    lock = root / "dvc.lock"
    if lock.is_file():
        data = yaml.safe_load(lock.read_text())
        for stage in data["stages"].values():
            for entry in [*stage.get("deps", []), *stage.get("outs", [])]:
                entry.pop("hash", None)
                entry["md5"], _ = _track(root, root / entry["path"])
        lock.write_text(yaml.safe_dump(data, sort_keys=False))
    for name in ("files", "runs"):  # DVC 3's objects and its run cache's DVC 3 entries
        shutil.rmtree(root / ".dvc" / "cache" / name, ignore_errors=True)
    if remote is not None:
        shutil.rmtree(remote, ignore_errors=True)


def layout_is_dvc2(base: Path) -> bool:
    """Objects only at the root of a cache or directory remote, none under ``files/`` (the
    run cache, ``runs/``, is the same in both)."""
    objects = [p for p in base.rglob("*") if p.is_file() and p.relative_to(base).parts[0] != "runs"]
    return bool(objects) and all(
        len(p.relative_to(base).parts) == 2 and len(p.parent.name) == 2 for p in objects
    )


def _track(root: Path, target: Path) -> tuple[str, str]:
    """Store ``target`` (a file or a directory) in the legacy cache: its md5 and the
    ``size``/``nfiles`` lines of its entry."""
    cache = root / ".dvc" / "cache"
    if not target.is_dir():
        return _store(cache, target.read_bytes()), f"  size: {target.stat().st_size}\n"
    files = sorted(p for p in target.rglob("*") if p.is_file())
    entries = [
        {"md5": _store(cache, p.read_bytes()), "relpath": p.relative_to(target).as_posix()}
        for p in files
    ]
    manifest = json.dumps(entries, sort_keys=True).encode()
    size = sum(p.stat().st_size for p in files)
    return _store(cache, manifest, ".dir"), f"  size: {size}\n  nfiles: {len(files)}\n"


def _store(cache: Path, content: bytes, suffix: str = "") -> str:
    """Keep ``content`` as it is, under its md5-dos2unix, at the cache's root."""
    md5 = _dos2unix_md5(content) + suffix
    obj = cache / md5[:2] / md5[2:]
    obj.parent.mkdir(parents=True, exist_ok=True)
    obj.write_bytes(content)
    return md5


def _dos2unix_md5(content: bytes) -> str:
    """DVC 2's md5: each 1 MiB chunk that looks like text hashed with CRLF turned into LF."""
    digest = hashlib.md5()  # DVC 2's content id
    for start in range(0, len(content), 2**20):
        chunk = content[start : start + 2**20]
        digest.update(chunk.replace(b"\r\n", b"\n") if _text(chunk[:512]) else chunk)
    return digest.hexdigest()


_TEXT = bytes(range(32, 127)) + b"\n\r\t\f\b"


def _text(block: bytes) -> bool:
    """DVC's guess: no NUL byte and at most 30 % of the first block outside text characters."""
    return b"\x00" not in block and len(block.translate(None, _TEXT)) <= 0.30 * len(block)
