"""Drift: per-column tests between the data the model in use was trained on and today's data.

Reference: each configured ``data:`` path at the version recorded on the last successful retrain
(before any retrain: the baseline run), read from the DVC cache. Current: the same path in the
working tree. Fires when the share of drifted columns reaches ``signals.drift.share``. With more
than one data path, columns are named ``path:column`` and judged together. A reference that is
not in the local DVC cache is fetched first (``data_fetch``); a path that still cannot be read
(not to be had, no reader for its format, a damaged file) is left out and named; when no path
could be compared the reading is *unknown* with the reasons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrigger.lineage.trained import RECORD_DATA
from retrigger.signals.base import Reading

if TYPE_CHECKING:
    from retrigger.config.models import DriftSignalConfig
    from retrigger.drift.engine import DriftOptions
    from retrigger.drift.profiled import Engine, ProfiledDrift
    from retrigger.drift.result import DriftReport
    from retrigger.signals.context import SignalContext

REPORT_DIR = ".retrigger/reports"
MAX_NAMED = 5  # drifted columns named in the one-line detail; all are in ``extra``


class DriftSignal:
    kind = "drift"

    def read(self, ctx: SignalContext) -> Reading:
        settings = ctx.config.signals.drift
        assert settings is not None
        trained = ctx.trained_paths
        missing = [p for p in ctx.config.data if p not in trained]
        if len(missing) == len(ctx.config.data):
            return Reading(
                self.kind,
                None,
                settings.share,
                False,
                "no retrain or baseline run recorded the data the model in use was trained "
                f"on, so drift cannot be measured; {RECORD_DATA}",
                unknown=True,
            )
        unreadable = ctx.ensure_cached({p: trained[p] for p in ctx.config.data if p in trained})
        partitions: dict[str, ProfiledDrift] = {}
        report = _compare_paths(ctx, settings, trained, unreadable, partitions)
        extra = _extra(report, trained, missing)
        extra["unreadable"] = unreadable
        extra["partitions"] = {p: found.compared.as_json() for p, found in partitions.items()}
        compared = [p for p in ctx.config.data if p in trained and p not in unreadable]
        if not compared:
            return Reading(
                self.kind,
                None,
                settings.share,
                False,
                "; ".join(f"{p}: {why}" for p, why in unreadable.items()),
                extra=extra,
                unknown=True,
            )
        if report.drift:
            extra["report_html"] = _write_report(ctx, report, trained)
            extra["report_png"] = _write_png(ctx, report)
        detail = _detail(report, missing)
        detail += "".join(f"; {p}: {f.compared.note()}" for p, f in partitions.items())
        if unreadable:
            detail += "; not compared: " + "; ".join(f"{p}: {w}" for p, w in unreadable.items())
        # Persistence over checks (persist: k/m, sequential): the verdict of this check alone
        # is kept in ``extra`` for the next checks to count.
        from retrigger.signals.drift_calibrated import persist

        held = persist(ctx, settings, report, extra["reference_versions"])  # type: ignore[arg-type]
        extra.update(held.extra)
        detail += f"; {held.detail}" if held.detail else ""
        return Reading(
            self.kind,
            round(report.share_drifted, 4),
            settings.share,
            held.fired,
            detail,
            extra=extra,
        )


def options_for(settings: DriftSignalConfig, plots: bool = True) -> DriftOptions:
    """The drift engine's options for ``signals.drift`` (the signal and backtest alike)."""
    from retrigger.drift.engine import DriftOptions

    return DriftOptions(
        columns=settings.columns,
        stattest=dict(settings.stattest),
        threshold=dict(settings.threshold),
        share=settings.share,
        warn=settings.warn,
        bonferroni=settings.bonferroni,
        schema_change_is_drift=settings.schema_change_is_drift,
        plots=plots,
    )


def _compare_paths(
    ctx: SignalContext,
    settings: DriftSignalConfig,
    trained: dict[str, str],
    unreadable: dict[str, str],
    partitions: dict[str, ProfiledDrift],
) -> DriftReport:
    """One report over every data path that has a trained version; a path that cannot be read
    is added to ``unreadable`` with the reason, a path read as profiles to ``partitions``."""
    from retrigger.data.formats import Unavailable
    from retrigger.drift.result import DriftReport

    paths = [p for p in ctx.config.data if p in trained]
    merged = DriftReport(0, 0, settings.share)
    for path in paths:
        if path in unreadable:
            continue
        if not (ctx.root / path).exists():
            unreadable[path] = "not in the working tree; run `dvc pull`"
            continue
        try:
            report = _compare_one(ctx, settings, path, trained[path], len(paths) > 1, partitions)
        except Unavailable as exc:
            unreadable[path] = str(exc)
            continue
        if report is None:
            continue
        prefix = f"{path}:" if len(paths) > 1 else ""
        merged.reference_rows += report.reference_rows
        merged.current_rows += report.current_rows
        merged.columns.update({prefix + n: c for n, c in report.columns.items()})
        merged.skipped.update({prefix + n: s for n, s in report.skipped.items()})
    if settings.mode == "calibrated":
        from retrigger.drift.calibrated_judge import judge

        judge(merged, settings.fdr)  # the level split across every path's columns at once
    return merged


def _compare_one(
    ctx: SignalContext,
    settings: DriftSignalConfig,
    path: str,
    md5: str,
    several: bool,
    partitions: dict[str, ProfiledDrift],
) -> DriftReport | None:
    from dataclasses import replace

    from retrigger.drift.engine import compare
    from retrigger.drift.io import open_table
    from retrigger.drift.partitions import local_size
    from retrigger.drift.profiled import choose
    from retrigger.drift.sources import open_version

    engine = choose(settings, None, *local_size(ctx.root / path), remote=False)
    if engine != "memory":
        return _profiled(ctx, settings, path, md5, engine, several, partitions)
    with (
        open_version(ctx.root, path, md5, f"{path}@trained") as ref,
        open_table(ctx.root / path) as cur,
    ):
        options = options_for(settings)
        if options.columns is not None and several:
            # A listed column lives in one of the paths: only ask each path for its own.
            known = set(ref.names) | set(cur.names)
            options = replace(options, columns=[c for c in options.columns if c in known])
            if not options.columns:
                return None
        if settings.mode == "calibrated":
            from retrigger.signals import drift_calibrated

            return drift_calibrated.compare(ref, cur, settings, options.columns)
        return compare(ref, cur, options)


def _profiled(
    ctx: SignalContext,
    settings: DriftSignalConfig,
    path: str,
    md5: str,
    engine: Engine,
    several: bool,
    partitions: dict[str, ProfiledDrift],
) -> DriftReport:
    """The path's drift from profiles; its partitions are named in ``partitions``."""
    from retrigger.data.formats import Unavailable
    from retrigger.drift.profiled import compare_version

    found = compare_version(ctx.root, path, md5, engine, settings, options_for(settings), several)
    partitions[path] = found
    if found.report is None:
        raise Unavailable(found.reason or "no profile")
    return found.report


def _write_png(ctx: SignalContext, report: DriftReport) -> str:
    """The chart posted in the Slack thread of the decision (matplotlib: only when fired)."""
    from retrigger.drift.png import write_png

    relative = f"{REPORT_DIR}/drift-{ctx.now:%Y%m%dT%H%M%S}.png"
    write_png(report, ctx.root / relative)
    return relative


def _write_report(ctx: SignalContext, report: DriftReport, trained: dict[str, str]) -> str:
    """Write the HTML report a retrain run logs to MLflow; return its path from the repo root.

    Only when drift fired: it is the evidence for the retrain, and not worth a file otherwise.
    """
    from retrigger.drift.report_html import Header, Source, write_html

    relative = f"{REPORT_DIR}/drift-{ctx.now:%Y%m%dT%H%M%S}.html"
    title = f"{ctx.config.model.name}: drift since the trained data"
    paths = [p for p in ctx.config.data if p in trained]
    header = Header(
        Source(
            ", ".join(f"{p}@trained" for p in paths),
            ", ".join(trained[p] for p in paths),
            report.reference_rows,
        ),
        Source(", ".join(paths) + " (working tree)", None, report.current_rows),
    )
    write_html(report, ctx.root / relative, title, header)
    return relative


def _detail(report: DriftReport, missing: list[str]) -> str:
    drifted = sorted((c for c in report.columns.values() if c.drift), key=lambda c: c.name)
    named = ", ".join(
        f"{c.name} ({c.effect.words() if c.effect else f'{c.test} {c.score:.3g}'})"
        for c in drifted[:MAX_NAMED]
    )
    more = f" and {len(drifted) - MAX_NAMED} more" if len(drifted) > MAX_NAMED else ""
    verb = ">=" if report.drift else "<"
    text = (
        f"{report.n_drifted} of {report.n_columns} columns drifted since the trained data "
        f"(share {report.share_drifted:.3g} {verb} {report.share:g})"
    )
    text += f": {named}{more}" if drifted else ""
    if missing:
        text += f"; not compared (no trained version): {', '.join(missing)}"
    return text


def _extra(report: DriftReport, trained: dict[str, str], missing: list[str]) -> dict[str, object]:
    document = report.as_json()
    return {
        "drifted_columns": report.drifted_columns,
        "columns": document["columns"],
        "skipped": document["skipped"],
        "reference_rows": report.reference_rows,
        "current_rows": report.current_rows,
        "reference_versions": {p: md5 for p, md5 in trained.items() if p not in missing},
    }
