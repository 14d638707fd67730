"""The drift and volume signals on object-storage prefixes under ``data:`` (see
``retrigger.drift.remote_trained`` for what their trained version is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrigger.lineage.trained import RECORD_DATA

if TYPE_CHECKING:
    from retrigger.config.models import DriftSignalConfig, RetriggerConfig
    from retrigger.data.delta import PathDelta
    from retrigger.drift.profiled import ProfiledDrift
    from retrigger.signals.context import SignalContext
    from retrigger.signals.drift import Compared

NO_TRAINED_RUN = (
    "no retrain or baseline run says when the model in use was trained, so its partitions "
    f"are unknown; {RECORD_DATA}"
)


def prefixes(config: RetriggerConfig) -> list[str]:
    """The ``data:`` entries that are object-storage prefixes, in the config's order."""
    return [path for path, spec in config.partitioned.items() if spec.remote]


def add_drift(
    ctx: SignalContext,
    settings: DriftSignalConfig,
    merged: Compared,
    unreadable: dict[str, str],
    partitions: dict[str, ProfiledDrift],
    several: bool,
) -> None:
    """Each prefix's drift since the trained run into ``merged``; a prefix that cannot be
    compared goes to ``unreadable`` with the reason."""
    from retrigger.drift.remote_trained import compare_prefix
    from retrigger.signals.drift import options_for

    run = ctx.trained_run
    for prefix in prefixes(ctx.config):
        if run is None:
            unreadable[prefix] = NO_TRAINED_RUN
            continue
        options = options_for(settings, target=ctx.config.label_column())
        found = compare_prefix(ctx.root, prefix, run.started_at, settings, options, several)
        partitions[prefix] = found
        if found.report is None:
            unreadable[prefix] = found.reason or "no profile"
            continue
        why = f"all rows, as {found.engine} profiles"
        merged.add(f"{prefix}:" if several else "", found.report, why, False, [])


def volume_deltas(ctx: SignalContext) -> tuple[list[PathDelta], list[str], dict[str, object]]:
    """Each prefix's rows since the trained run, the partitions named (a note each) and their
    JSON; a prefix that cannot be counted has unknown rows with the reason."""
    from retrigger.config.models import DriftSignalConfig
    from retrigger.data.delta import PathDelta, Side
    from retrigger.drift.remote_trained import prefix_delta

    run = ctx.trained_run
    settings = ctx.config.signals.drift or DriftSignalConfig()
    deltas: list[PathDelta] = []
    notes: list[str] = []
    found: dict[str, object] = {}
    for prefix in prefixes(ctx.config):
        if run is None:
            side = Side(md5="trained", note=NO_TRAINED_RUN)
            deltas.append(PathDelta(prefix, side, Side(note=NO_TRAINED_RUN), 0, 0, 0))
            continue
        delta, by_partition = prefix_delta(ctx.root, prefix, run.started_at, settings)
        deltas.append(delta)
        if by_partition is not None:
            notes.append(f"{prefix}: {by_partition.note()}")
            found[prefix] = by_partition.as_json()
    return deltas, notes, found
