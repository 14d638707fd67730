"""An object-storage prefix under ``data:`` (``{path: s3://bucket/events/, format: parquet,
partitioning: hive}``), as the drift and volume signals compare it.

Object storage keeps no version retrigger could record the way DVC records an md5, so the
trained version of a prefix is read from its listing: the partitions whose objects were all
last modified before the trained run started (the run the model in use was trained on, as for
every other path). A partition written or rewritten after that run is new; one deleted since is
on neither side (its rows are gone from the bucket).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrigger.data.delta import PathDelta, Side
from retrigger.drift.partition_volume import PartitionDelta, delta_between, rows_of
from retrigger.drift.profiled import (
    PROFILE_DIR,
    ProfiledDrift,
    calibrated_of,
    choose,
    compare_sides,
    make_engine,
)
from retrigger.drift.profiled import Side as Parts
from retrigger.drift.profiles import ProfileCache
from retrigger.drift.remote import footer_rows, list_partitions
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from pathlib import Path

    from retrigger.config.models import DriftSignalConfig
    from retrigger.drift.engine import DriftOptions
    from retrigger.drift.partitions import Partition


@dataclass(frozen=True)
class Listed:
    """A prefix's partitions now, and those written before the trained run."""

    trained: Parts
    current: Parts


def listed(prefix: str, started: datetime, settings: DriftSignalConfig) -> Listed:
    """Both sides of ``prefix``; BadInput when it cannot be listed or holds nothing trained."""
    current = list_partitions(prefix, settings)
    if not current:
        raise BadInput(f"{prefix} holds no Parquet partition")
    cutoff = started.timestamp()
    trained = [p for p in current if p.modified is not None and p.modified <= cutoff]
    if not trained:
        raise BadInput(
            f"{prefix}: no partition was written before the trained run started "
            f"({started:%Y-%m-%d %H:%M:%S} UTC)"
        )
    return Listed(Parts(f"{prefix}@trained", trained), Parts(prefix, current))


def compare_prefix(
    root: Path,
    prefix: str,
    started: datetime,
    settings: DriftSignalConfig,
    options: DriftOptions,
    several: bool,
) -> ProfiledDrift:
    """The prefix's drift since the trained run, as profiles; unknown with the one-line
    reason when it cannot be listed or read (nothing of a failed pass is cached)."""
    try:
        name = choose(settings, None, 0, True, remote=True)
        sides = listed(prefix, started, settings)
    except BadInput as exc:
        return ProfiledDrift(None, str(exc), "duckdb")
    cache = ProfileCache(root / PROFILE_DIR)
    engine = make_engine(name, settings, cache, remote=True)
    return compare_sides(
        engine,
        name,
        sides.trained,
        sides.current,
        options,
        settings,
        cache,
        several,
        calibrated_of(settings),
    )


def prefix_delta(
    root: Path, prefix: str, started: datetime, settings: DriftSignalConfig
) -> tuple[PathDelta, PartitionDelta | None]:
    """Rows of ``prefix`` now against the trained partitions (from the profile cache, else
    the Parquet footers); the delta's rows are unknown, with the reason, when it cannot be
    listed or read."""
    try:
        sides = listed(prefix, started, settings)
        cache = ProfileCache(root / PROFILE_DIR)
        old = _side(sides.trained.parts, cache)
        new = _side(sides.current.parts, cache)
        partitions = delta_between(sides.trained.parts, sides.current.parts, cache, footer_rows)
    except BadInput as exc:
        unknown = PathDelta(
            prefix, Side(md5="trained", note=str(exc)), Side(note=str(exc)), 0, 0, 0
        )
        return unknown, None
    before = {p.name: p.fingerprint for p in sides.trained.parts}
    modified = sum(
        1 for p in sides.current.parts if before.get(p.name, p.fingerprint) != p.fingerprint
    )
    delta = PathDelta(prefix, old, new, len(partitions.new), len(partitions.gone), modified)
    return delta, partitions


def _side(parts: Sequence[Partition], cache: ProfileCache) -> Side:
    digest = hashlib.sha256("\n".join(sorted(p.fingerprint for p in parts)).encode())
    rows = sum(rows_of(p, cache, footer_rows).rows for p in parts)
    files = sum(len(p.files) for p in parts)
    return Side(digest.hexdigest()[:32], sum(p.bytes for p in parts), files, rows)
