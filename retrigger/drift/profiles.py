"""Mergeable column profiles: what drift and volume need of a table, in a few kilobytes.

A ``Layout`` is fixed by the reference once: for a numerical column the bin edges (the
reference's quantiles), for a categorical one its most frequent keys. Every partition is then
profiled on that layout: rows, missing values, min/max and integer counts per bucket. Counts on
the same layout add, so a data version's profile is the exact merge of its partitions' profiles,
in any order and grouping (``merge`` is associative and commutative: sums and min/max only).

Buckets of a numerical column, for edges ``e_0 < … < e_{k-1}``: bucket ``i`` holds the values
``e_{i-1} < x <= e_i`` (``e_{-1} = -inf``, ``e_k = +inf``), so ``k + 1`` buckets, the index being
``searchsorted(edges, x, side="left")``: the number of edges below ``x``. This is DuckDB's
``histogram(x, boundaries)`` convention (right-closed bins), so SQL and numpy agree exactly.
A categorical column has one bucket per key plus a last "other" bucket for every other value.

Missing values are null, NaN and ±inf, as the in-memory drift engine sets them aside.

Each partition's profile is cached as JSON under ``.retrigger/profiles/<layout digest>/`` by the
partition's fingerprint, so a rerun reads only partitions it has not profiled on this layout.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

Kind = Literal["num", "cat"]


@dataclass(frozen=True)
class ColumnLayout:
    """How one column is bucketed: ``edges`` (num) or ``keys`` (cat), and the reference's type
    (the engine's name for it) that every partition must have."""

    name: str
    kind: Kind
    dtype: str
    edges: tuple[float, ...] = ()
    keys: tuple[str, ...] = ()

    @property
    def n_buckets(self) -> int:
        return len(self.edges) + 1 if self.kind == "num" else len(self.keys) + 1


@dataclass(frozen=True)
class Layout:
    """The buckets of every profiled column, fixed by the reference; stored with each profile."""

    columns: tuple[ColumnLayout, ...]

    @cached_property
    def digest(self) -> str:
        """Names the layout in cache paths: profiles on other edges are never merged or reused.
        ``repr`` of a float round-trips exactly, so equal edges give equal digests."""
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def column(self, name: str) -> ColumnLayout:
        return next(c for c in self.columns if c.name == name)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Layout:
        return cls(
            tuple(
                ColumnLayout(
                    name=c["name"],
                    kind=c["kind"],
                    dtype=c["dtype"],
                    edges=tuple(float(e) for e in c["edges"]),
                    keys=tuple(str(k) for k in c["keys"]),
                )
                for c in raw["columns"]
            )
        )


@dataclass(frozen=True)
class ColumnProfile:
    """One column's counts on its layout. ``rows`` counts every row, ``missing`` the null/NaN/inf
    ones; ``counts`` has one integer per bucket and sums to ``rows - missing``."""

    name: str
    rows: int
    missing: int
    counts: tuple[int, ...]
    min: float | None = None  # num only; None when no value
    max: float | None = None

    @property
    def present(self) -> int:
        return self.rows - self.missing


@dataclass(frozen=True)
class DatasetProfile:
    """A data version (or one partition): its columns' profiles, rows, bytes of its files and
    how many partitions were merged into it."""

    layout: Layout
    rows: int
    bytes: int
    partitions: int
    columns: tuple[ColumnProfile, ...]

    def column(self, name: str) -> ColumnProfile:
        return next(c for c in self.columns if c.name == name)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DatasetProfile:
        raw = json.loads(text)
        layout = Layout.from_dict(raw["layout"])
        columns = tuple(
            ColumnProfile(
                name=c["name"],
                rows=int(c["rows"]),
                missing=int(c["missing"]),
                counts=tuple(int(n) for n in c["counts"]),
                min=None if c["min"] is None else float(c["min"]),
                max=None if c["max"] is None else float(c["max"]),
            )
            for c in raw["columns"]
        )
        return cls(layout, int(raw["rows"]), int(raw["bytes"]), int(raw["partitions"]), columns)


def merge(a: DatasetProfile, b: DatasetProfile) -> DatasetProfile:
    """The profile of ``a``'s rows and ``b``'s together: exact, associative, commutative."""
    if a.layout != b.layout:
        raise ValueError("profiles on different layouts cannot be merged (re-profile on one)")
    columns = tuple(_merge_column(x, y) for x, y in zip(a.columns, b.columns, strict=True))
    return replace(
        a,
        rows=a.rows + b.rows,
        bytes=a.bytes + b.bytes,
        partitions=a.partitions + b.partitions,
        columns=columns,
    )


def merge_all(layout: Layout, profiles: list[DatasetProfile]) -> DatasetProfile:
    """The merge of any number of profiles; the empty profile of ``layout`` when there are none."""
    total = empty(layout)
    for profile in profiles:
        total = merge(total, profile)
    return total


def empty(layout: Layout) -> DatasetProfile:
    """The profile of no rows: the identity of ``merge``."""
    columns = tuple(ColumnProfile(c.name, 0, 0, (0,) * c.n_buckets) for c in layout.columns)
    return DatasetProfile(layout, 0, 0, 0, columns)


def _merge_column(x: ColumnProfile, y: ColumnProfile) -> ColumnProfile:
    if x.name != y.name or len(x.counts) != len(y.counts):
        raise ValueError(f"column {x.name!r} is bucketed differently in the two profiles")
    return ColumnProfile(
        name=x.name,
        rows=x.rows + y.rows,
        missing=x.missing + y.missing,
        counts=tuple(i + j for i, j in zip(x.counts, y.counts, strict=True)),
        min=_pick(x.min, y.min, lowest=True),
        max=_pick(x.max, y.max, lowest=False),
    )


def _pick(x: float | None, y: float | None, lowest: bool) -> float | None:
    if x is None or y is None:
        return y if x is None else x
    return min(x, y) if lowest else max(x, y)


@dataclass(frozen=True)
class ProfileCache:
    """Partition profiles on disk, one JSON file per (layout, partition fingerprint)."""

    root: Path  # normally <repo>/.retrigger/profiles

    def path(self, layout: Layout, fingerprint: str) -> Path:
        return self.root / layout.digest / f"{fingerprint}.json"

    def get(self, layout: Layout, fingerprint: str) -> DatasetProfile | None:
        path = self.path(layout, fingerprint)
        try:
            profile = DatasetProfile.from_json(path.read_text())
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: profile the partition again
        return profile if profile.layout == layout else None

    def put(self, fingerprint: str, profile: DatasetProfile) -> None:
        _write_atomically(self.path(profile.layout, fingerprint), profile.to_json())
        self.put_counts(fingerprint, profile.rows, profile.bytes)

    def counts_path(self, fingerprint: str) -> Path:
        return self.root / "counts" / f"{fingerprint}.json"

    def get_counts(self, fingerprint: str) -> tuple[int, int] | None:
        """(rows, bytes) of a partition, whatever layout profiled it: what volume needs."""
        try:
            raw = json.loads(self.counts_path(fingerprint).read_text())
            return int(raw["rows"]), int(raw["bytes"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put_counts(self, fingerprint: str, rows: int, size: int) -> None:
        _write_atomically(self.counts_path(fingerprint), json.dumps({"rows": rows, "bytes": size}))

    def layout_path(self, key: str) -> Path:
        return self.root / "layouts" / f"{key}.json"

    def get_layout(self, key: str) -> Layout | None:
        """The layout computed for the reference named ``key`` (see ``layout_key``)."""
        try:
            return Layout.from_dict(json.loads(self.layout_path(key).read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put_layout(self, key: str, layout: Layout) -> None:
        _write_atomically(self.layout_path(key), json.dumps(asdict(layout), sort_keys=True))


def layout_key(fingerprints: list[str], columns: list[str] | None, bins: int, top_k: int) -> str:
    """Names a reference's layout by what fixes it: its partitions' content and the settings.
    A check against the same trained data reuses the layout instead of reading the reference
    whole for its quantiles again."""
    text = json.dumps([sorted(fingerprints), columns, bins, top_k])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _write_atomically(path: Path, text: str) -> None:
    """A crash never leaves a partial profile or layout to be read as whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
