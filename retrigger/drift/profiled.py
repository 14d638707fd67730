"""Drift and volume from profiles: pick the engine, profile both sides partition by partition
(cached), compare. One pass gives the drift scores and each side's rows and bytes.

The engine: ``memory`` is the exact path (``engine.compare`` on the rows); ``duckdb`` and
``spark`` compute profiles. ``auto`` (the default) keeps the exact path for data up to
``exact_up_to_bytes`` and for formats other than Parquet, and uses DuckDB above it and for
object storage; ``exact: true`` always keeps the exact path.

The reference's layout (bin edges, top keys) costs a pass over the whole reference, so it is
cached too, named by the reference's partitions' fingerprints and the settings: a check against
the same trained data after one new partition reads that partition only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from retrigger.drift.calibrated_judge import CalibratedOptions
from retrigger.drift.profile_compare import compare_calibrated, compare_profiles
from retrigger.drift.profiles import ProfileCache, layout_key
from retrigger.drift.result import DriftReport, PartitionsCompared
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from retrigger.config.models import DriftSignalConfig
    from retrigger.drift.engine import DriftOptions
    from retrigger.drift.engines.duckdb import Profiled
    from retrigger.drift.partitions import Partition
    from retrigger.drift.profiles import DatasetProfile, Layout

Engine = Literal["memory", "duckdb", "spark"]
PROFILE_DIR = ".retrigger/profiles"


class ProfileEngine(Protocol):
    """What ``duckdb`` and ``spark`` both do: a layout from the reference, profiles on it."""

    def layout_of(
        self,
        parts: Sequence[Partition],
        label: str,
        columns: Sequence[str] | None = None,
        bins: int = 1000,
        top_k: int = 100,
    ) -> Layout: ...

    def profile_parts(self, parts: Sequence[Partition], layout: Layout, label: str) -> Profiled: ...


def choose(
    settings: DriftSignalConfig, requested: str | None, size: int, parquet: bool, remote: bool
) -> Engine:
    """The engine for data of ``size`` bytes (``requested``: ``--engine``, over the config)."""
    wanted = requested or settings.engine
    if settings.exact or wanted == "memory":
        if remote:
            raise BadInput("object storage is read through profiles; drop drift.exact for it")
        return "memory"
    if wanted in ("duckdb", "spark"):
        return "spark" if wanted == "spark" else "duckdb"
    if wanted != "auto":
        raise BadInput(f"--engine {wanted!r}: choose auto, duckdb, spark or memory")
    if remote or (parquet and size > settings.exact_up_to_bytes):
        return "duckdb"
    return "memory"


def make_engine(
    name: Engine, settings: DriftSignalConfig, cache: ProfileCache, remote: bool = False
) -> ProfileEngine:
    """The engine ``name`` with its settings; ``remote``: it reads object storage."""
    if name == "spark":
        from retrigger.drift.engines.spark import SparkEngine

        spark = settings.spark
        return SparkEngine(cache, spark.master, spark.remote, spark.timeout.total_seconds())
    from retrigger.drift.engines.duckdb import DuckDBEngine
    from retrigger.drift.remote import S3Access

    s3 = S3Access.from_env() if remote else None
    return DuckDBEngine(cache, settings.memory_limit, settings.threads, s3)


@dataclass(frozen=True)
class Side:
    """One side of a comparison as partitions, and how to name it."""

    label: str
    parts: list[Partition]


@dataclass(frozen=True)
class ProfiledDrift:
    """The report (None when unknown, with the reason), the partitions compared on each side,
    those read in this pass (the others came from the cache) and both sides' profiles."""

    report: DriftReport | None
    reason: str | None
    engine: Engine
    reference: tuple[str, ...] = ()
    current: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    reference_profile: DatasetProfile | None = None
    current_profile: DatasetProfile | None = None

    @property
    def compared(self) -> PartitionsCompared:
        return PartitionsCompared(self.engine, self.reference, self.current, self.read)


def compare_sides(
    engine: ProfileEngine,
    name: Engine,
    reference: Side,
    current: Side,
    options: DriftOptions,
    settings: DriftSignalConfig,
    cache: ProfileCache,
    several: bool = False,
    calibrated: CalibratedOptions | None = None,
) -> ProfiledDrift:
    """Profile both sides on the reference's layout and compare them (``calibrated``: by
    effect size, else by Evidently's tests); unknown with the reason when a side cannot be
    profiled (nothing of a failed partition is cached)."""
    # Every column is laid out (and cached) once; ``options.columns`` picks among them.
    key = layout_key([p.fingerprint for p in reference.parts], None, settings.bins, settings.top_k)
    layout = cache.get_layout(key)
    if layout is None:
        try:
            layout = engine.layout_of(
                reference.parts, reference.label, None, settings.bins, settings.top_k
            )
        except BadInput as exc:
            return ProfiledDrift(None, str(exc), name)
        cache.put_layout(key, layout)
    ref = engine.profile_parts(reference.parts, layout, reference.label)
    cur = engine.profile_parts(current.parts, layout, current.label)
    read = ref.read + cur.read
    for side, got in ((reference.label, ref), (current.label, cur)):
        if got.profile is None:
            reason = f"{side}: {got.reason}"
            return ProfiledDrift(None, reason, name, ref.partitions, cur.partitions, read)
    assert ref.profile is not None and cur.profile is not None
    if calibrated is None:
        report = compare_profiles(ref.profile, cur.profile, options, several)
    else:
        report = compare_calibrated(ref.profile, cur.profile, options, calibrated, several)
    report.partitions = PartitionsCompared(name, ref.partitions, cur.partitions, read)
    return ProfiledDrift(
        report, None, name, ref.partitions, cur.partitions, read, ref.profile, cur.profile
    )


def compare_version(
    root: Path,
    path: str,
    trained_md5: str,
    name: Engine,
    settings: DriftSignalConfig,
    options: DriftOptions,
    several: bool = False,
) -> ProfiledDrift:
    """``path`` at the DVC version ``trained_md5`` (from the local cache) against the working
    tree, through the profile engine ``name``; profiles cached under ``.retrigger/profiles``."""
    from retrigger.data.versions import out_version
    from retrigger.drift.partitions import of_version, of_worktree

    current_md5 = out_version(root, path).md5
    reference = Side(f"{path}@trained", of_version(root, trained_md5, path))
    current = Side(f"{path} (working tree)", of_worktree(root, path, current_md5))
    if not reference.parts:
        return ProfiledDrift(None, f"{reference.label} holds no Parquet partition", name)
    cache = ProfileCache(root / PROFILE_DIR)
    engine = make_engine(name, settings, cache)
    calibrated = calibrated_of(settings)
    return compare_sides(
        engine, name, reference, current, options, settings, cache, several, calibrated
    )


def compare_versions(
    root: Path,
    path: str,
    old_md5: str,
    new_md5: str,
    settings: DriftSignalConfig,
    options: DriftOptions,
) -> ProfiledDrift | None:
    """Two DVC versions of ``path`` from the local cache, as profiles when ``settings`` choose a
    profile engine for the new version's size; None when they choose the exact path. The
    backtest replays with it: a partition shared by many versions is profiled once."""
    from retrigger.drift.partitions import of_version

    current = Side(f"{path}@{new_md5[:8]}", of_version(root, new_md5, path))
    size = sum(p.bytes for p in current.parts)
    name = choose(settings, None, size, bool(current.parts), remote=False)
    if name == "memory":
        return None
    reference = Side(f"{path}@{old_md5[:8]}", of_version(root, old_md5, path))
    if not reference.parts:
        return ProfiledDrift(None, f"{reference.label} holds no Parquet partition", name)
    cache = ProfileCache(root / PROFILE_DIR)
    engine = make_engine(name, settings, cache)
    calibrated = calibrated_of(settings)
    return compare_sides(
        engine, name, reference, current, options, settings, cache, True, calibrated
    )


def calibrated_of(settings: DriftSignalConfig) -> CalibratedOptions | None:
    """The calibrated mode's options when ``signals.drift.mode`` is calibrated, else None."""
    return CalibratedOptions.of(settings) if settings.mode == "calibrated" else None
