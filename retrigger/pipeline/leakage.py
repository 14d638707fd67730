"""The leakage check of the gate: do the validation rows hold rows the champion trained on?

The champion's training data is what the stage writing ``model.artifact`` read, as the
committed ``dvc.lock`` records it: the split it really
trained on, not the raw ``data:`` a split stage cut it from — the raw data also holds the old
test rows, which the champion never saw. Without a ``dvc.lock``: the ``data:`` versions on the
champion's run (``retrigger.data.<path>``), else the baseline run's. Each version is read from
the DVC cache (fetched first when ``data_fetch.mode`` is auto). The validation file itself is
left out wherever it appears (a holdout tracked beside the training data, or in the same
prepared folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from retrigger.data.formats import KNOWN_NAMES, Unavailable, Unreadable
from retrigger.errors import RetriggerError
from retrigger.evaluation.overlap import Overlap, measure
from retrigger.lineage import tags

if TYPE_CHECKING:
    from retrigger.drift.io import Table
    from retrigger.pipeline.registry import Champion
    from retrigger.workspace import Workspace


@dataclass(frozen=True)
class Trained:
    """The data versions a model was trained on (path → DVC md5) and where that is known from."""

    md5s: dict[str, str]
    who: str  # "stage train in the committed dvc.lock (HEAD 1a2b3c4d)", "champion v3's run"

    @property
    def label(self) -> str:
        paths = "".join(f"{p} md5 {m[:8]}, " for p, m in sorted(self.md5s.items()))
        return f"the champion's training data ({paths}{self.who})"


def champion_training(ws: Workspace, champ: Champion | None) -> Trained | None:
    """What the model in use was trained on: the data deps of the training stages in the
    committed ``dvc.lock`` (HEAD holds the model in use: a refused retrain is put back to it),
    else the ``data:`` versions its run recorded, else the baseline run's."""
    from_lock = _from_committed_lock(ws)
    if from_lock is not None:
        return from_lock
    if champ is not None and champ.run_id:
        found = _data_tags(ws.tracking.client.get_run(champ.run_id).data.tags)
        if found:
            return Trained(found, f"recorded on champion v{champ.version}'s run")
    base = ws.tracking.baseline()
    if base is not None and _data_tags(base.tags):
        return Trained(_data_tags(base.tags), f"recorded on the baseline run {base.run_id[:8]}")
    return None


def _from_committed_lock(ws: Workspace) -> Trained | None:
    from retrigger.data.formats import format_of
    from retrigger.data.versions import load_yaml
    from retrigger.gitutil import head_commit, show_file

    head = head_commit(ws.root)
    text = show_file(ws.root, head, "dvc.lock") if head else None
    if head is None or text is None:
        return None
    raw = load_yaml(text, "dvc.lock").get("stages")
    lock = (
        {str(k): v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}
    )
    names = _trainers(lock, ws.config.model.artifact)
    md5s = {
        str(PurePosixPath(str(dep["path"]))): str(dep["md5"])
        for name in names
        for dep in lock[name].get("deps") or []
        if isinstance(dep, dict) and dep.get("path") and dep.get("md5")
        if str(dep["md5"]).endswith(".dir") or format_of(str(dep["path"])).known
    }
    if not names:
        return None
    which = f"stage{'s' if len(names) > 1 else ''} {', '.join(names)}"
    return Trained(md5s, f"the deps of {which} in the committed dvc.lock, HEAD {head[:8]}")


def check(ws: Workspace, champ: Champion | None, validation_path: str) -> Overlap:
    """How many rows of ``validation_path`` (now, in the work tree) the champion trained on."""
    from retrigger.drift.io import open_table

    trained = champion_training(ws, champ)
    against = trained.label if trained else "the champion's training data"
    try:
        validation = open_table(ws.root / validation_path)
    except (Unavailable, RetriggerError) as exc:
        return Overlap(0, 0, against, unknown=str(exc))
    with validation:
        if trained is None:
            return Overlap(
                0,
                validation.num_rows,
                against,
                unknown="neither the committed dvc.lock nor a run (retrigger.data.<path> "
                "tags) records the data the champion was trained on",
            )
        skip = str(PurePosixPath(validation_path))
        wanted = {p: m for p, m in trained.md5s.items() if str(PurePosixPath(p)) != skip}
        if not wanted:
            return Overlap(
                0,
                validation.num_rows,
                against,
                unknown=f"{trained.who}: no data file retrigger can read ({KNOWN_NAMES})",
            )
        try:
            tables = _open_versions(ws, wanted, skip)
        except (Unavailable, RetriggerError) as exc:
            return Overlap(0, validation.num_rows, against, unknown=str(exc))
        held_out = _committed_validation(ws, skip)
        try:
            return measure(validation, tables, against, held_out=held_out)
        except Exception as exc:  # a table shape the hashing cannot read: unknown, not a crash
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            return Overlap(0, validation.num_rows, against, unknown=first[:200])
        finally:
            for table in [*tables, *held_out]:
                table.close()


def _committed_validation(ws: Workspace, path: str) -> list[Table]:
    """The validation rows as committed (the champion's own held-out rows), when DVC tracks
    them and the cache holds them: the training stage may have read them without training."""
    from retrigger.data.cache import missing
    from retrigger.data.versions import optional_version
    from retrigger.drift.sources import open_version
    from retrigger.gitutil import head_commit

    head = head_commit(ws.root)
    found = optional_version(ws.root, path, head) if head else None
    if found is None or found.md5 is None or missing(ws.root, found.md5):
        return []
    try:
        return [open_version(ws.root, path, found.md5, f"{path}@HEAD")]
    except (Unavailable, RetriggerError):
        return []


def _open_versions(ws: Workspace, md5s: dict[str, str], skip: str) -> list[Table]:
    from retrigger.data import cache

    root = ws.root
    todo = [(p, m) for p, m in md5s.items() if cache.missing(root, m)]
    if todo and ws.config.data_fetch.mode == "auto":
        cache.fetch(root, todo, ws.config.data_fetch.timeout.total_seconds())
    tables: list[Table] = []
    try:
        for path, md5 in sorted(md5s.items()):
            tables.append(_open_one(root, path, md5, skip))
    except BaseException:
        for table in tables:
            table.close()
        raise
    return tables


def _open_one(root: Path, path: str, md5: str, skip: str) -> Table:
    """One data version; a directory without the validation file when it holds it."""
    from retrigger.drift.sources import open_version

    label = f"{path}@{md5[:8]}"
    inside = skip.startswith(f"{PurePosixPath(path)}/")
    if not (md5.endswith(".dir") and inside):
        return open_version(root, path, md5, label)
    from retrigger.data.cache import read_manifest, visible
    from retrigger.data.formats import format_of
    from retrigger.data.odb import cache_path
    from retrigger.drift.io import Table

    relpath = skip[len(str(PurePosixPath(path))) + 1 :]
    files = [
        (cache_path(root, m), PurePosixPath(r).name)
        for r, m in sorted((read_manifest(root, md5) or {}).items())
        if r != relpath and visible(r) and format_of(r).known
    ]
    if not files:
        raise Unreadable(f"{label} holds no data file retrigger can read ({KNOWN_NAMES})")
    return Table(files, label)


def _trainers(lock: dict[str, dict[str, Any]], artifact: str | None) -> list[str]:
    """The stage that writes ``artifact``: its deps are the split it trained on (the stages
    upstream read the raw data the split was cut from, old test rows included). Without one:
    the stages nothing else depends on."""
    writes = {
        name: {
            str(PurePosixPath(str(o.get("path"))))
            for o in stage.get("outs") or []
            if isinstance(o, dict)
        }
        for name, stage in lock.items()
    }
    if artifact is not None:
        target = str(PurePosixPath(artifact))
        found = [name for name, outs in writes.items() if target in outs]
        if found:
            return found
    read = {
        str(PurePosixPath(str(d.get("path"))))
        for stage in lock.values()
        for d in stage.get("deps") or []
        if isinstance(d, dict)
    }
    return sorted(name for name, outs in writes.items() if not outs & read)


def _data_tags(run_tags: dict[str, str]) -> dict[str, str]:
    prefix = tags.DATA_PATH_PREFIX
    return {k[len(prefix) :]: v for k, v in run_tags.items() if k.startswith(prefix)}


def labelled(where: str, overlap: Overlap) -> str:
    """The validation rows' label, with the overlap when there is one (or it is unknown)."""
    if overlap.unknown is not None:
        return f"{where}; overlap with the champion's training data unknown"
    if not overlap.found:
        return where
    approx = "≈" if overlap.sampled is not None else ""
    return f"{where}; {approx}{overlap.rows} of them ({overlap.share:.0%}) in its training data"


def refusal(overlap: Overlap) -> str:
    return (
        f"{overlap.describe()}: the gate does not decide on rows the champion was trained "
        "on; validate on rows outside the training data (a split made before the data "
        "grows, or a fixed holdout), or set validation.allow_overlap: true to accept them"
    )


def logged(overlap: Overlap) -> dict[str, float]:
    """The overlap as numbers on the retrain run (nothing when it could not be measured)."""
    if overlap.unknown is not None:
        return {}
    return {
        "validation.overlap_rows": float(overlap.rows),
        "validation.overlap_share": overlap.share,
    }
