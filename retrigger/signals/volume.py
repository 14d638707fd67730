"""Volume: rows added since the data the model in use was trained on.

Reference: each ``data:`` path at the version recorded on the last successful retrain (before
any retrain: the baseline run's ``retrigger.data.<path>`` tags). Fires when the new rows reach
``min_new_rows`` or grow the reference by ``min_growth`` (relative). A reference version that
is not in the local DVC cache is fetched first (``data_fetch``); when it cannot be had, or a file
cannot be counted, its rows are unknown: the reading is *unknown* with the reason when no path
could be counted, and never fires on what it could not count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrigger.lineage.trained import RECORD_DATA
from retrigger.signals.base import Reading

if TYPE_CHECKING:
    from retrigger.config.models import VolumeSignalConfig
    from retrigger.data.delta import DeltaReport, PathDelta
    from retrigger.data.versions import OutVersion
    from retrigger.signals.context import SignalContext


class VolumeSignal:
    kind = "volume"

    def read(self, ctx: SignalContext) -> Reading:
        from retrigger.data.delta import DeltaReport
        from retrigger.signals.remote_data import prefixes, volume_deltas

        settings = ctx.config.signals.volume
        assert settings is not None
        threshold = float(settings.min_new_rows) if settings.min_new_rows is not None else None
        trained = ctx.trained_paths
        remote = prefixes(ctx.config)  # object storage: trained = written before the run
        if not trained and not (remote and ctx.trained_run):
            return Reading(
                self.kind,
                None,
                threshold,
                False,
                "no retrain or baseline run recorded the data the model in use was trained "
                f"on, so volume cannot be measured; {RECORD_DATA}",
                unknown=True,
            )
        report = DeltaReport(ctx.trained_data_version, "", [])
        current: dict[str, OutVersion] = {}
        missing: dict[str, str] = {}
        if trained:
            report, current, missing = _tracked(ctx, trained)
        deltas, notes, found = volume_deltas(ctx)
        report.paths.extend(deltas)
        reading = _with_partitions(
            ctx, judge(report, settings, threshold, missing), trained, current
        )
        if not notes:
            return reading
        from dataclasses import replace

        known = reading.extra.get("partitions")
        merged = {**(known if isinstance(known, dict) else {}), **found}
        extra = {**reading.extra, "partitions": merged}
        return replace(reading, detail=reading.detail + "; " + "; ".join(notes), extra=extra)


def _tracked(
    ctx: SignalContext, trained: dict[str, str]
) -> tuple[DeltaReport, dict[str, OutVersion], dict[str, str]]:
    """The DVC-tracked paths' delta since their trained versions (fetched first if need be)."""
    from retrigger.data.delta import compute_delta, from_md5s
    from retrigger.data.versions import versions

    current = {out.path: out for out in versions(ctx.root, ctx.config.data)}
    missing = ctx.ensure_cached({p: md5 for p, md5 in trained.items() if p in current})
    report = compute_delta(
        ctx.root,
        from_md5s(list(current), trained),
        current,
        old_version=ctx.trained_data_version,
        worktree_new=True,
        tolerant=True,
    )
    return report, current, missing


def _with_partitions(
    ctx: SignalContext, reading: Reading, trained: dict[str, str], current: dict[str, OutVersion]
) -> Reading:
    """Name the new partitions of each partitioned ``data:`` path in the detail."""
    from dataclasses import replace

    from retrigger.drift.partition_volume import partition_delta
    from retrigger.drift.profiled import PROFILE_DIR
    from retrigger.drift.profiles import ProfileCache

    cache = ProfileCache(ctx.root / PROFILE_DIR)
    notes, found = [], {}
    for path in ctx.config.partitioned:
        if path not in trained or path not in current:
            continue
        try:
            delta = partition_delta(ctx.root, path, trained[path], current[path].md5, cache)
        except (OSError, ValueError) as exc:  # pyarrow's errors are both
            notes.append(f"{path}: partitions unknown ({str(exc).splitlines()[0]})")
            continue
        if delta is not None:
            notes.append(f"{path}: {delta.note()}")
            found[path] = delta.as_json()
    if not notes:
        return reading
    extra = {**reading.extra, "partitions": found}
    return replace(reading, detail=reading.detail + "; " + "; ".join(notes), extra=extra)


def judge(
    report: DeltaReport,
    settings: VolumeSignalConfig,
    threshold: float | None,
    missing: dict[str, str] | None = None,
) -> Reading:
    """Fire on new rows or relative growth; unknown rows never fire."""
    added = {d.path: _added(d) for d in report.paths}
    unknown = {
        d.path: _why_unknown(d, missing or {})
        for d in report.paths
        if added[d.path] is None and d.changed
    }
    known = [d for d in report.paths if added[d.path] is not None]
    new_rows = sum(added[d.path] or 0 for d in known)
    old_rows = sum(d.old.rows or 0 for d in known)
    growth = new_rows / old_rows if old_rows else None
    extra: dict[str, object] = {"delta": report.as_json(), "growth": growth}
    if unknown and not known:
        return Reading(
            "volume",
            None,
            threshold,
            False,
            "rows unknown for " + "; ".join(f"{p}: {why}" for p, why in unknown.items()),
            extra=extra,
            unknown=True,
        )
    reasons = []
    if settings.min_new_rows is not None and new_rows >= settings.min_new_rows:
        reasons.append(f">= min_new_rows {settings.min_new_rows}")
    if settings.min_growth is not None and growth is not None and growth >= settings.min_growth:
        reasons.append(f"growth {growth:.1%} >= min_growth {settings.min_growth:.0%}")
    grown = f" ({growth:+.1%})" if growth is not None else ""
    detail = f"{new_rows:+d} rows since the trained data{grown}"
    detail += f": {'; '.join(reasons)}" if reasons else ": below " + _limits(settings)
    if unknown:
        detail += "; rows unknown for " + "; ".join(f"{p}: {why}" for p, why in unknown.items())
    return Reading("volume", float(new_rows), threshold, bool(reasons), detail, extra=extra)


def _why_unknown(delta: PathDelta, missing: dict[str, str]) -> str:
    if delta.path in missing:
        return missing[delta.path]
    note = delta.old.note or delta.new.note
    if note:
        return note
    side = "trained" if delta.old.rows is None else "current"
    return (
        f"the {side} version is not in the local DVC cache; run `retrigger delta --fetch`"
        if side == "trained"
        else "the current version is neither in the DVC cache nor in "
        "the working tree; run `dvc pull`"
    )


def _added(delta: PathDelta) -> int | None:
    """Rows added to one path; a path the model never saw (no trained version) is all new."""
    if delta.old.md5 is None:
        return delta.new.rows
    return delta.rows


def _limits(settings: VolumeSignalConfig) -> str:
    parts = []
    if settings.min_new_rows is not None:
        parts.append(f"min_new_rows {settings.min_new_rows}")
    if settings.min_growth is not None:
        parts.append(f"min_growth {settings.min_growth:.0%}")
    return " and ".join(parts) or "no threshold (set min_new_rows or min_growth)"
