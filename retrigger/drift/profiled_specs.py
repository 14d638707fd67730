"""``retrigger drift REF CUR`` through profiles: each side named as the exact path names it (a
folder or file, ``path@REV``, ``path@trained``, or an object-storage prefix) becomes partitions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.config.models import REMOTE_SCHEMES
from retrigger.drift.partitions import local_size, of_version, of_worktree
from retrigger.drift.profiled import (
    PROFILE_DIR,
    Engine,
    Side,
    calibrated_of,
    choose,
    compare_sides,
    make_engine,
)
from retrigger.drift.profiles import ProfileCache
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from retrigger.config.models import DriftSignalConfig
    from retrigger.drift.engine import DriftOptions
    from retrigger.drift.result import DriftReport
    from retrigger.drift.sources import TrainedPaths


def engine_for(settings: DriftSignalConfig, requested: str | None, current: str) -> Engine:
    """The engine for a comparison whose current side is ``current``: its size decides
    ``auto`` when it is a local path; a version (``@REV``) is small enough for the exact path
    unless an engine is named."""
    remote = current.startswith(REMOTE_SCHEMES)
    local = Path(current)
    size, parquet = local_size(local) if local.exists() else (0, False)
    return choose(settings, requested, size, parquet, remote)


def compare_specs(
    reference: str,
    current: str,
    name: Engine,
    settings: DriftSignalConfig,
    options: DriftOptions,
    root: Path,
    trained: TrainedPaths | None = None,
) -> DriftReport:
    """Both sides as profiles, compared; ``BadInput`` with the reason when one is unknown."""
    cache = ProfileCache(root / PROFILE_DIR)
    remote = any(s.startswith(REMOTE_SCHEMES) for s in (reference, current))
    engine = make_engine(name, settings, cache, remote)
    found = compare_sides(
        engine,
        name,
        side_of(reference, root, trained, settings),
        side_of(current, root, trained, settings),
        options,
        settings,
        cache,
        calibrated=calibrated_of(settings),
    )
    if found.report is None:
        raise BadInput(found.reason or "the data could not be profiled")
    return found.report


def side_of(
    spec: str, root: Path, trained: TrainedPaths | None, settings: DriftSignalConfig
) -> Side:
    """The partitions ``spec`` names (``BadInput`` when it names none)."""
    if spec.startswith(REMOTE_SCHEMES):
        from retrigger.drift.remote import list_partitions

        return _some(Side(spec, list_partitions(spec, settings)))
    local = Path(spec)
    if local.exists() or "@" not in spec:
        if not local.exists():
            raise BadInput(f"{spec} does not exist")
        return _some(Side(spec, of_worktree(Path.cwd(), spec, None)))
    path, rev = spec.rsplit("@", 1)
    from retrigger.drift.sources import TRAINED, trained_md5

    if rev == TRAINED:
        if trained is None:
            raise BadInput(f"{spec!r}: @trained needs a retrigger.yaml with a tracking URI")
        md5 = trained_md5(trained(), path)
    else:
        from retrigger.data.versions import out_version

        found = out_version(root, path, rev).md5
        if found is None:
            raise BadInput(f"{spec!r}: no md5 recorded for {path} at {rev}; run `dvc add {path}`")
        md5 = found
    return _some(Side(spec, of_version(root, md5, path)))


def _some(side: Side) -> Side:
    if not side.parts:
        raise BadInput(f"{side.label} holds no Parquet partition (profiles read Parquet)")
    return side
