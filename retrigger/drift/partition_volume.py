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
    from collections.abc import Callable, Mapping, Sequence
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
    trained = of_version(root, trained_md5, path)
    if not trained:
        return None
    return delta_between(trained, of_worktree(root, path, current_md5), cache)


def delta_between(
    trained: Sequence[Partition],
    current: Sequence[Partition],
    cache: ProfileCache,
    count: Callable[[Sequence[str]], Mapping[str, int]] | None = None,
) -> PartitionDelta:
    """The partitions of ``current`` new, rewritten or gone against ``trained``; ``count``
    gives each file's rows from its footer (default: pyarrow on local files)."""
    before = {p.name: p for p in trained}
    now = {p.name: p for p in current}
    new = tuple(
        rows_of(p, cache, count or _local_rows) for name, p in now.items() if name not in before
    )
    rewritten = tuple(
        name
        for name, p in now.items()
        if name in before and p.fingerprint != before[name].fingerprint
    )
    gone = tuple(name for name in before if name not in now)
    return PartitionDelta(new, rewritten, gone)


def _local_rows(files: Sequence[str]) -> dict[str, int]:
    import pyarrow.parquet as pq

    return {f: pq.ParquetFile(f).metadata.num_rows for f in files}


def rows_of(
    part: Partition, cache: ProfileCache, count: Callable[[Sequence[str]], Mapping[str, int]]
) -> PartitionRows:
    counted = cache.get_counts(part.fingerprint)
    if counted is None:
        counted = (sum(count(part.files).values()), part.bytes)
        cache.put_counts(part.fingerprint, *counted)
    return PartitionRows(part.name, *counted)
