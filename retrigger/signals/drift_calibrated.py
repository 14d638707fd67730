"""The drift signal's calibrated mode and its persistence over checks (``signals.drift``).

``mode: calibrated`` compares profiles by effect size (``drift.calibrated_judge``) instead of
Evidently's tests: profiles of the tables in memory (``drift.table_profiles``) here, or the
DuckDB/Spark engines' cached partition profiles (``drift.profile_compare.compare_calibrated``).
Either mode may then ask the verdict to persist: ``persist: k/m`` fires only when the dataset
verdict held in k of the last m checks (this one and the stored decisions' drift readings);
``sequential: true`` (calibrated) fires when a column's betting e-process passes ``m/α``
(``drift.sequential``), its wealth carried from check to check in the drift reading of the
stored decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrigger.drift.calibrated_judge import CalibratedOptions, compare_profiles, judge
from retrigger.drift.result import ColumnResult

if TYPE_CHECKING:
    from collections.abc import Sequence

    from retrigger.config.models import DriftSignalConfig
    from retrigger.decision import Reading
    from retrigger.drift.engine import DriftOptions
    from retrigger.drift.io import Table
    from retrigger.drift.result import DriftReport
    from retrigger.signals.context import SignalContext

VERDICT = "verdict"  # extra key: this check's dataset verdict, before persistence
WEALTH = "sequential_wealth"  # extra key: column → e-process wealth after this check


def compare(
    reference: Table, current: Table, settings: DriftSignalConfig, names: Sequence[str] | None
) -> DriftReport:
    """One path's calibrated report (the signal judges all paths together afterwards)."""
    from retrigger.drift.table_profiles import profile_tables

    profiled = profile_tables(reference, current, names)
    report = compare_profiles(profiled.reference, profiled.current, CalibratedOptions.of(settings))
    report.skipped.update(profiled.skipped)
    for name, skip in profiled.skipped.items():
        if settings.schema_change_is_drift and skip.reason.startswith("only_in"):
            # As in the compatible mode: counted as drifted, outside the effect sizes' BH.
            report.columns[name] = ColumnResult(
                name, skip.type, "schema", 1.0, 1.0, True, skip.reason
            )
    return report


def compare_in_mode(
    reference: Table, current: Table, settings: DriftSignalConfig, options: DriftOptions
) -> DriftReport:
    """One path's report in ``settings.mode``, the label column (``options.target``) apart:
    the signal, the backtest's replay and its false-alarm resamples all compare through here.
    In calibrated mode, ``judge_together`` then judges every path's columns at once."""
    if settings.mode != "calibrated":
        from retrigger.drift.engine import compare as compatible

        return compatible(reference, current, options)
    report = compare(reference, current, settings, options.columns)
    if options.target is not None and options.target in report.columns:
        report.target = report.columns.pop(options.target)  # as the compatible compare does
    return report


def judge_together(report: DriftReport, settings: DriftSignalConfig) -> None:
    """Calibrated mode: Benjamini–Hochberg across every compared path's columns at once, so
    two data paths are not two chances of a false alarm (compatible verdicts stand alone)."""
    if settings.mode == "calibrated":
        judge(report, settings.fdr)


@dataclass
class Persisted:
    """Whether the signal fires after persistence, why in words, and what to store."""

    fired: bool
    detail: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def persist(
    ctx: SignalContext,
    settings: DriftSignalConfig,
    report: DriftReport,
    reference: dict[str, str],
) -> Persisted:
    """Apply ``persist`` and ``sequential`` to this check's verdict ``report.drift``;
    ``reference`` (path → md5 of the trained data) restarts the bets when it changes."""
    k_m = settings.persist_k_m
    if k_m is None and not settings.sequential:
        return Persisted(report.drift, "", {VERDICT: report.drift})
    return persist_over(settings, report, reference, _past(ctx, k_m[1] - 1 if k_m else 1))


def persist_over(
    settings: DriftSignalConfig,
    report: DriftReport,
    reference: dict[str, str],
    past: Sequence[Reading],  # the earlier drift readings, newest first
) -> Persisted:
    """``persist`` over given earlier readings: the stored ones live, the replayed ones in a
    backtest (so a replay fires where the live check would, not at every drifted point)."""
    extra: dict[str, object] = {VERDICT: report.drift}
    k_m = settings.persist_k_m
    sequential = settings.sequential  # config allows it in calibrated mode only
    if k_m is None and not sequential:
        return Persisted(report.drift, "", extra)
    fired, words = report.drift, []
    if k_m is not None:
        k, m = k_m
        held = [report.drift] + [bool(r.extra.get(VERDICT, r.fired)) for r in past[: m - 1]]
        fired = sum(held) >= k
        words.append(f"drift held in {sum(held)} of the last {len(held)} checks (persist {k}/{m})")
    if sequential:
        same = past[:1] if past and past[0].extra.get("reference_versions") == reference else []
        alarms, wealth = _sequential(settings, report, same)
        extra[WEALTH] = wealth
        fired = fired if k_m is not None else False
        fired = fired or bool(alarms)
        bar = len(wealth) / settings.sequential_alpha
        words.append(
            f"sequential: {', '.join(alarms)} past wealth {bar:g}"
            if alarms
            else f"sequential: no column's wealth reached {bar:g} (highest "
            f"{max(wealth.values(), default=0.0):.3g})"
        )
    return Persisted(fired, "; ".join(words), extra)


def _past(ctx: SignalContext, limit: int) -> list[Reading]:
    """The stored drift readings of this model, newest first (none without a store)."""
    if ctx.store is None or limit <= 0:
        return []
    from retrigger.store import decisions

    with ctx.store.transaction() as conn:
        return decisions.recent_readings(conn, ctx.config.model.name, "drift", limit)


def _sequential(
    settings: DriftSignalConfig, report: DriftReport, last: Sequence[Reading]
) -> tuple[list[str], dict[str, float]]:
    from retrigger.drift import sequential

    before = last[0].extra.get(WEALTH) if last else None
    wealth = {str(k): float(v) for k, v in before.items()} if isinstance(before, dict) else {}
    effects = {
        name: (c.effect.value, c.effect.tolerance)
        for name, c in report.columns.items()
        if c.effect is not None
    }
    after = sequential.update(wealth, effects)
    return sequential.alarmed(after, settings.sequential_alpha), after
