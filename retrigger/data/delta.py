"""How much data arrived between two versions of each tracked path: bytes, files, rows.

Old content that is not in the local DVC cache makes its numbers unknown (``None``), never an
error; ``fetch=True`` asks ``dvc fetch`` for it first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from retrigger.data.cache import Manifest, fetch, in_cache, read_manifest, visible
from retrigger.data.formats import Unreadable, format_of
from retrigger.data.odb import cache_path
from retrigger.data.rows import RowCache
from retrigger.data.versions import OutVersion, data_version

Sides = Mapping[str, OutVersion | None]


@dataclass(frozen=True)
class Side:
    """One version of one path as a user sees it; every number may be unknown."""

    md5: str | None = None
    bytes: int | None = None
    files: int | None = None
    rows: int | None = None
    manifest: Manifest | None = field(default=None, compare=False, repr=False)
    # Why ``rows`` is unknown although the content is here: a format no reader understands
    # ("not countable / not testable: .bin") or the parser's reason for a damaged file.
    note: str | None = None

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {
            "md5": self.md5,
            "bytes": self.bytes,
            "files": self.files,
            "rows": self.rows,
        }
        if self.note is not None:
            found["rows_unknown"] = self.note
        return found


@dataclass(frozen=True)
class PathDelta:
    path: str
    old: Side
    new: Side
    files_added: int
    files_removed: int
    files_modified: int

    @property
    def bytes(self) -> int | None:
        return _minus(self.new.bytes, self.old.bytes)

    @property
    def rows(self) -> int | None:
        return _minus(self.new.rows, self.old.rows)

    @property
    def rows_pct(self) -> float | None:
        rows, base = self.rows, self.old.rows
        return round(100.0 * rows / base, 2) if rows is not None and base else None

    @property
    def changed(self) -> bool:
        return self.old.md5 != self.new.md5

    def summary(self) -> str:
        """One line a person reads: rows, bytes, files, and which versions."""
        if self.rows is not None:
            pct = f" ({self.rows_pct:+.1f}%)" if self.rows_pct is not None else ""
            rows = f"{self.rows:+,} rows{pct}"
        elif self.old.md5 is None:
            rows = "new" + (f", {self.new.rows:,} rows" if self.new.rows is not None else "")
        elif self.old.note or self.new.note:
            rows = f"rows unknown ({self.old.note or self.new.note})"
        else:
            rows = "rows unknown (old version not in the DVC cache; `retrigger delta --fetch`)"
        size = "size unknown"
        if self.bytes is not None:
            size = _signed_size(self.bytes)
        elif self.old.md5 is None and self.new.bytes is not None:
            size = _signed_size(self.new.bytes)
        text = f"{self.path}: {rows}, {size}"
        if self.new.manifest is not None or self.old.manifest is not None:
            text += f", files +{self.files_added} -{self.files_removed} ~{self.files_modified}"
        old = (self.old.md5 or "none")[:8]
        return f"{text} ({old} → {(self.new.md5 or 'none')[:8]})"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "old": self.old.as_json(),
            "new": self.new.as_json(),
            "delta": {
                "bytes": self.bytes,
                "rows": self.rows,
                "rows_pct": self.rows_pct,
                "files_added": self.files_added,
                "files_removed": self.files_removed,
                "files_modified": self.files_modified,
            },
        }


@dataclass(frozen=True)
class DeltaReport:
    data_version_old: str | None
    data_version_new: str
    paths: list[PathDelta]

    def summary_lines(self) -> list[str]:
        return [delta.summary() for delta in self.paths]

    def as_json(self) -> dict[str, object]:
        return {
            "data_version_old": self.data_version_old,
            "data_version_new": self.data_version_new,
            "paths": [p.as_json() for p in self.paths],
        }


def from_md5s(paths: Sequence[str], md5s: Mapping[str, str]) -> dict[str, OutVersion | None]:
    """Versions known only by md5 (as recorded on an MLflow run): sizes come from the cache."""
    return {p: OutVersion(p, md5s[p], None, None) if p in md5s else None for p in paths}


def compute_delta(
    root: Path,
    old: Sides,
    new: Mapping[str, OutVersion],
    *,
    old_version: str | None = None,
    fetch_missing: bool = False,
    worktree_new: bool = False,
    tolerant: bool = False,
) -> DeltaReport:
    """Compare ``old`` and ``new`` path by path (the keys of ``new``, in order).

    ``worktree_new``: the new side is the working tree, so a file missing from the cache may
    be counted on disk when its size matches the recorded one. ``tolerant``: a damaged file
    leaves its rows unknown with the reason (a signal goes on) instead of raising.
    """
    if fetch_missing:
        wanted = [
            (p, o.md5)
            for side in (old, new)
            for p, o in side.items()
            if o is not None and o.md5 is not None
        ]
        fetch(root, wanted)
    counter = RowCache(root)
    try:
        deltas = [
            _path_delta(root, path, old.get(path), out, _Counter(counter, tolerant), worktree_new)
            for path, out in new.items()
        ]
    finally:
        counter.save()
    olds = [old.get(path) for path in new]
    if old_version is None and olds and all(o is not None for o in olds):
        old_version = data_version(o for o in olds if o is not None)
    return DeltaReport(old_version, data_version(new.values()), deltas)


class _Counter:
    """Rows of one file, or None and the reason it has none (format unknown, file damaged)."""

    def __init__(self, cache: RowCache, tolerant: bool) -> None:
        self.cache, self.tolerant = cache, tolerant

    def rows(self, obj: Path, md5: str, name: str, label: str) -> tuple[int | None, str | None]:
        fmt = format_of(name)
        if not fmt.known:
            return None, fmt.refusal()
        try:
            return self.cache.rows(obj, md5, name, label), None
        except Unreadable as exc:
            if not self.tolerant:
                raise
            return None, str(exc)


def _path_delta(
    root: Path,
    path: str,
    old: OutVersion | None,
    new: OutVersion,
    counter: _Counter,
    worktree_new: bool,
) -> PathDelta:
    before = describe(root, path, old, counter)
    after = describe(root, path, new, counter, worktree=worktree_new)
    added, removed, modified = _file_changes(before, after)
    return PathDelta(path, before, after, added, removed, modified)


def describe(
    root: Path, path: str, out: OutVersion | None, counter: _Counter, *, worktree: bool = False
) -> Side:
    """Sizes, file count and rows of one version, from what the cache holds."""
    if out is None or out.md5 is None:
        return Side()
    if out.is_dir:
        return _describe_dir(root, path, out, counter)
    obj = cache_path(root, out.md5)
    label = f"{path} ({out.md5[:8]})"
    if not obj.is_file() and worktree and (root / path).is_file():
        on_disk = root / path
        if out.size is None or on_disk.stat().st_size == out.size:
            obj = on_disk  # `dvc add` with a non-copying cache setup, or a cleared cache
    size = out.size if out.size is not None else (obj.stat().st_size if obj.is_file() else None)
    if not obj.is_file():
        return Side(out.md5, size, 1, None)
    rows, note = counter.rows(obj, out.md5, path, label)
    return Side(out.md5, size, 1, rows, note=note)


def _describe_dir(root: Path, path: str, out: OutVersion, counter: _Counter) -> Side:
    assert out.md5 is not None
    manifest = read_manifest(root, out.md5)
    if manifest is None:
        return Side(out.md5, out.size, out.nfiles, None)
    files = out.nfiles if out.nfiles is not None else len(manifest)
    size, counted = out.size, False
    rows: int | None = 0
    sizes: list[int] = []
    notes: list[str] = []
    for relpath, md5 in sorted(manifest.items()):
        obj = cache_path(root, md5)
        if obj.is_file():
            sizes.append(obj.stat().st_size)
        if not visible(relpath) or rows is None:
            continue
        if not in_cache(root, md5):
            # A counted format whose content is missing: the total is unknown.
            rows = None if format_of(relpath).known else rows
            continue
        found, note = counter.rows(obj, md5, relpath, f"{path}/{relpath}")
        if note is not None:
            notes.append(f"{relpath}: {note}")
            rows = rows if not format_of(relpath).known else None  # damaged: total unknown
        elif found is not None:
            rows, counted = rows + found, True
    if size is None and len(sizes) == len(manifest):
        size = sum(sizes)
    # Files no reader understands beside countable ones are left out of the count, and said.
    note = "; ".join(notes[:3]) + (f" and {len(notes) - 3} more" if len(notes) > 3 else "")
    return Side(out.md5, size, files, rows if counted else None, manifest, note or None)


def _file_changes(old: Side, new: Side) -> tuple[int, int, int]:
    """(added, removed, modified) files, from the manifests when both are known."""
    if old.md5 == new.md5:
        return 0, 0, 0
    if old.manifest is not None and new.manifest is not None:
        before, after = old.manifest, new.manifest
        added = sum(1 for rel in after if rel not in before)
        removed = sum(1 for rel in before if rel not in after)
        modified = sum(1 for rel, md5 in after.items() if rel in before and before[rel] != md5)
        return added, removed, modified
    if old.md5 is None:
        return new.files or 0, 0, 0
    if new.md5 is None:
        return 0, old.files or 0, 0
    if not (old.md5.endswith(".dir") or new.md5.endswith(".dir")):
        return 0, 0, 1  # one file changed in place
    # A manifest is missing from the cache: only the change in the file count is known.
    grown = (new.files or 0) - (old.files or 0)
    return max(grown, 0), max(-grown, 0), 0


def _signed_size(value: int) -> str:
    sign, amount = ("-" if value < 0 else "+"), float(abs(value))
    for unit in ("B", "kB", "MB", "GB"):
        if amount < 1000 or unit == "GB":
            return f"{sign}{amount:.0f} {unit}" if unit == "B" else f"{sign}{amount:.1f} {unit}"
        amount /= 1000
    return f"{sign}{amount:.1f} TB"  # pragma: no cover - the loop returns


def _minus(new: int | None, old: int | None) -> int | None:
    return new - old if new is not None and old is not None else None
