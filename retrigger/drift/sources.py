"""Turn what a user names (a path, ``path@REV``, ``path@trained``) into local files to read.

The engine only ever reads local files; this module finds them: on disk, or in the DVC cache for
a data version recorded in git (``.dvc`` file or ``dvc.lock`` at that revision) or on the run the
model in use was trained on. A directory version is the list in its ``.dir`` manifest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from retrigger.data.formats import KNOWN_NAMES, NotInCache, Unreadable, format_of
from retrigger.drift.engine import DriftOptions, compare
from retrigger.drift.io import Table, open_table
from retrigger.errors import BadInput
from retrigger.lineage.trained import RECORD_DATA

if TYPE_CHECKING:
    from retrigger.drift.result import DriftReport

TRAINED = "trained"
TrainedPaths = Callable[[], Mapping[str, str]]


def compare_specs(
    reference: str,
    current: str,
    options: DriftOptions,
    root: Path,
    trained: TrainedPaths | None = None,
) -> DriftReport:
    """Open both sides, compare them, and release any temporary files."""
    with open_spec(reference, root, trained) as ref, open_spec(current, root, trained) as cur:
        return compare(ref, cur, options)


def open_spec(spec: str, root: Path, trained: TrainedPaths | None = None) -> Table:
    """Open ``spec``: an existing file or folder, else ``path@REV`` or ``path@trained``.

    ``trained`` returns path → md5 of the data the model in use was trained on; it is called
    only for ``@trained``, because finding that run means asking MLflow.
    """
    local = Path(spec)
    if local.exists() or "@" not in spec:
        return open_table(local)
    path, rev = spec.rsplit("@", 1)
    if not path or not rev:
        raise BadInput(f"{spec!r}: write a data version as PATH@REV or PATH@trained")
    if rev == TRAINED:
        if trained is None:
            raise BadInput(f"{spec!r}: @trained needs a retrigger.yaml with a tracking URI")
        return open_version(root, path, trained_md5(trained(), path), spec)
    from retrigger.data.versions import out_version

    md5 = out_version(root, path, rev).md5
    if md5 is None:
        raise BadInput(f"{spec!r}: no md5 recorded for {path} at {rev}; run `dvc add {path}`")
    return open_version(root, path, md5, spec)


def open_version(root: Path, path: str, md5: str, label: str) -> Table:
    """The table stored in the DVC cache under ``md5`` (a file, or a ``.dir`` manifest)."""
    from retrigger.data.odb import cache_path

    obj = cache_path(root, md5)
    if not obj.is_file():
        raise NotInCache(
            f"{label}: data version {md5} is not in the DVC cache; "
            f"run `retrigger delta --fetch` or `dvc fetch` with that version"
        )
    if not md5.endswith(".dir"):
        _known_format(path, label)
        return Table([(obj, PurePosixPath(path).name)], label)
    from retrigger.data.cache import read_manifest, visible

    sources = []
    for relpath, file_md5 in (read_manifest(root, md5) or {}).items():
        if not format_of(relpath).known or not visible(relpath):
            continue
        cached = cache_path(root, file_md5)
        if not cached.is_file():
            raise NotInCache(
                f"{label}: {relpath} ({file_md5[:8]}) is not in the DVC cache; "
                "run `retrigger delta --fetch`"
            )
        sources.append((cached, PurePosixPath(relpath).name))
    if not sources:
        raise Unreadable(f"{label} holds no data file a drift test can read ({KNOWN_NAMES})")
    return Table(sources, label)


def trained_md5(paths: Mapping[str, str], path: str) -> str:
    norm = str(PurePosixPath(path))
    md5 = paths.get(norm)
    if md5 is None:
        known = ", ".join(sorted(paths)) or "none"
        raise BadInput(
            f"{norm}@trained: the run the model was trained on recorded no version of "
            f"{norm} (it recorded: {known}); {RECORD_DATA}"
        )
    return md5


def _known_format(path: str, label: str) -> None:
    fmt = format_of(path)
    if not fmt.known:
        raise Unreadable(f"{label}: {fmt.refusal()}; use {KNOWN_NAMES}")
