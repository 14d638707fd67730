"""Volume by partition: which partitions are new since the trained version, and their rows.

Rows and bytes of a partition come from the profile cache when a drift pass profiled it (the
same pass), else from its Parquet footers (no data page is read), and are cached by the
partition's fingerprint either way. A partition is *new* when its name is not in the trained
version, *rewritten* when its name is but its content (fingerprint) differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrigger.drift.partitions import Partition, of_version, of_worktree
from retrigger.drift.profiles import ProfileCache

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class PartitionRows:
    name: str
    rows: int
    bytes: int


@dataclass(frozen=True)
class PartitionDelta:
    """The partitions added, rewritten and gone since the trained version."""

    new: tuple[PartitionRows, ...]
    rewritten: tuple[str, ...]
    gone: tuple[str, ...]

    @property
    def new_rows(self) -> int:
        return sum(p.rows for p in self.new)

    def note(self) -> str:
        """'+3 partitions (date=…, …), +1.5M rows since the trained version'."""
        names = ", ".join(p.name for p in self.new[:5]) + (" …" if len(self.new) > 5 else "")
        text = f"+{len(self.new)} partitions" + (f" ({names})" if self.new else "")
        text += f", +{_short(self.new_rows)} rows since the trained version"
        if self.rewritten:
            text += f"; rewritten: {', '.join(self.rewritten)}"
        if self.gone:
            text += f"; gone: {', '.join(self.gone)}"
        return text

    def as_json(self) -> dict[str, object]:
        return {
            "new": [{"name": p.name, "rows": p.rows, "bytes": p.bytes} for p in self.new],
            "rewritten": list(self.rewritten),
            "gone": list(self.gone),
        }


def _short(n: int) -> str:
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return str(n)


def partition_delta(
    root: Path, path: str, trained_md5: str, current_md5: str | None, cache: ProfileCache
) -> PartitionDelta | None:
    """The partitions of ``path`` in the working tree against its trained version; None when
    the trained version's manifest is not in the local DVC cache."""
    trained = {p.name: p for p in of_version(root, trained_md5, path)}
    if not trained:
        return None
    current = {p.name: p for p in of_worktree(root, path, current_md5)}
    new = tuple(_rows(p, cache) for name, p in current.items() if name not in trained)
    rewritten = tuple(
        name
        for name, p in current.items()
        if name in trained and p.fingerprint != trained[name].fingerprint
    )
    gone = tuple(name for name in trained if name not in current)
    return PartitionDelta(new, rewritten, gone)


def _rows(part: Partition, cache: ProfileCache) -> PartitionRows:
    counted = cache.get_counts(part.fingerprint)
    if counted is None:
        import pyarrow.parquet as pq

        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in part.files)
        counted = (rows, part.bytes)
        cache.put_counts(part.fingerprint, *counted)
    return PartitionRows(part.name, *counted)
