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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrigger.lineage.trained import RECORD_DATA
from retrigger.signals.base import Reading
from retrigger.signals.remote_data import add_drift, prefixes

if TYPE_CHECKING:
    from retrigger.config.models import DriftSignalConfig
    from retrigger.drift.engine import DriftOptions
    from retrigger.drift.profiled import Engine, ProfiledDrift
    from retrigger.drift.result import DriftReport
    from retrigger.drift.rowindex import RowView
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
        remote = prefixes(ctx.config)  # object storage: trained = written before the run
        if len(missing) == len(ctx.config.data) and not (remote and ctx.trained_run):
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
        found = _compare_paths(ctx, settings, trained, unreadable, partitions)
        report = found.report
        extra = _extra(found, trained, missing)
        extra["unreadable"] = unreadable
        extra["partitions"] = {p: part.compared.as_json() for p, part in partitions.items()}
        compared = [p for p in ctx.config.data if p in trained and p not in unreadable]
        compared += [p for p in remote if p not in unreadable]
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
            extra["report_html"] = _write_report(ctx, found, trained)
            extra["report_png"] = _write_png(ctx, report)
        detail = _detail(found, missing)
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


def options_for(
    settings: DriftSignalConfig, plots: bool = True, target: str | None = None
) -> DriftOptions:
    """The drift engine's options for ``signals.drift`` (the signal and backtest alike);
    ``target`` is the label column (``RetriggerConfig.label_column``)."""
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
        target=target,
    )


@dataclass
class Compared:
    """Every compared path in one report, with how the current rows were chosen and where in
    them each drifted column's shift starts."""

    report: DriftReport
    compared: list[str] = field(default_factory=list)  # per path: which rows, and why
    new_only: bool = False
    rows: list[RowView] = field(default_factory=list)

    def add(
        self, prefix: str, report: DriftReport, why: str, new_only: bool, views: list[RowView]
    ) -> None:
        """One path's comparison; with several paths, its columns are named ``path:column``."""
        from dataclasses import replace

        self.compared.append(f"{prefix}{why}" if prefix else why)
        self.new_only = self.new_only or new_only
        self.rows += [replace(v, column=prefix + v.column) for v in views]
        merged = self.report
        merged.reference_rows += report.reference_rows
        merged.current_rows += report.current_rows
        merged.columns.update({prefix + n: c for n, c in report.columns.items()})
        merged.skipped.update({prefix + n: s for n, s in report.skipped.items()})
        if report.target is not None and merged.target is None:
            merged.target = replace(report.target, name=prefix + report.target.name)


def _compare_paths(
    ctx: SignalContext,
    settings: DriftSignalConfig,
    trained: dict[str, str],
    unreadable: dict[str, str],
    partitions: dict[str, ProfiledDrift],
) -> Compared:
    """One report over every data path that has a trained version; a path that cannot be read
    is added to ``unreadable`` with the reason, a path read as profiles to ``partitions``."""
    from retrigger.data.formats import Unavailable
    from retrigger.drift.result import DriftReport

    paths = [p for p in ctx.config.data if p in trained]
    remote = prefixes(ctx.config)
    several = len(paths) + len(remote) > 1
    merged = Compared(DriftReport(0, 0, settings.share))
    for path in paths:
        if path in unreadable:
            continue
        if not (ctx.root / path).exists():
            unreadable[path] = "not in the working tree; run `dvc pull`"
            continue
        prefix = f"{path}:" if several else ""
        try:
            _compare_one(ctx, settings, path, trained[path], prefix, merged, partitions)
        except Unavailable as exc:
            unreadable[path] = str(exc)
    add_drift(ctx, settings, merged, unreadable, partitions, several)
    from retrigger.signals.drift_calibrated import judge_together

    judge_together(merged.report, settings)
    return merged


def _compare_one(
    ctx: SignalContext,
    settings: DriftSignalConfig,
    path: str,
    md5: str,
    prefix: str,
    merged: Compared,
    partitions: dict[str, ProfiledDrift],
) -> None:
    from dataclasses import replace

    from retrigger.drift.io import open_table
    from retrigger.drift.newrows import choose
    from retrigger.drift.partitions import local_size
    from retrigger.drift.profiled import choose as choose_engine
    from retrigger.drift.report_html import ranked
    from retrigger.drift.rowindex import row_views
    from retrigger.drift.sources import open_version
    from retrigger.signals.drift_calibrated import compare_in_mode

    engine = choose_engine(settings, None, *local_size(ctx.root / path), remote=False)
    if engine != "memory":
        # Profiles compare every row (a partition is profiled whole, once, and cached).
        report = _profiled(ctx, settings, path, md5, engine, bool(prefix), partitions)
        merged.add(prefix, report, f"all rows, as {engine} profiles", False, [])
        return
    with (
        open_version(ctx.root, path, md5, f"{path}@trained") as ref,
        open_table(ctx.root / path) as whole,
    ):
        options = options_for(settings, target=ctx.config.label_column())
        if options.columns is not None and prefix:
            # A listed column lives in one of the paths: only ask each path for its own.
            known = set(ref.names) | set(whole.names)
            options = replace(options, columns=[c for c in options.columns if c in known])
            if not options.columns:
                return
        choice = choose(ref, whole, settings.current)
        report = compare_in_mode(ref, choice.table, settings, options)
        views = row_views(ref, choice.table, ranked(report))
    merged.add(prefix, report, choice.why, choice.new_only, views)


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

    options = options_for(settings, target=ctx.config.label_column())
    found = compare_version(ctx.root, path, md5, engine, settings, options, several)
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


def _write_report(ctx: SignalContext, found: Compared, trained: dict[str, str]) -> str:
    """Write the HTML report a retrain run logs to MLflow; return its path from the repo root.

    Only when drift fired: it is the evidence for the retrain, and not worth a file otherwise.
    It names the decision it is evidence for, the commit, and both sides' data versions.
    """
    from retrigger.drift.report_html import Header, Source, write_html

    relative = f"{REPORT_DIR}/drift-{ctx.now:%Y%m%dT%H%M%S}.html"
    title = f"{ctx.config.model.name}: drift since the trained data"
    paths = [p for p in ctx.config.data if p in trained]
    now = ctx.current()
    current = [now.data_paths.get(p) for p in paths]
    report = found.report
    header = Header(
        Source(
            ", ".join(f"{p}@trained" for p in paths),
            ", ".join(trained[p] for p in paths),
            report.reference_rows,
        ),
        Source(
            ", ".join(paths) + " (working tree)",
            ", ".join(v or "not tracked by DVC" for v in current),
            report.current_rows,
        ),
        decision=ctx.decision_id,
        commit=now.git_commit,
        compared="; ".join(found.compared) or None,
    )
    write_html(report, ctx.root / relative, title, header, found.rows)
    return relative


def _detail(found: Compared, missing: list[str]) -> str:
    report = found.report
    drifted = sorted((c for c in report.columns.values() if c.drift), key=lambda c: c.name)
    named = ", ".join(
        f"{c.name} ({c.effect.words() if c.effect else f'{c.test} {c.score:.3g}'})"
        for c in drifted[:MAX_NAMED]
    )
    more = f" and {len(drifted) - MAX_NAMED} more" if len(drifted) > MAX_NAMED else ""
    verb = ">=" if report.drift else "<"
    rows = f" in the {report.current_rows:,} new rows" if found.new_only else ""
    text = (
        f"{report.n_drifted} of {report.n_columns} columns drifted since the trained data{rows} "
        f"(share {report.share_drifted:.3g} {verb} {report.share:g})"
    )
    text += f": {named}{more}" if drifted else ""
    if report.target is not None:
        state = "drifted" if report.target.drift else "did not drift"
        text += f"; target {report.target.name} {state} (not counted)"
    if missing:
        text += f"; not compared (no trained version): {', '.join(missing)}"
    return text


def _extra(found: Compared, trained: dict[str, str], missing: list[str]) -> dict[str, object]:
    report = found.report
    document = report.as_json()
    return {
        "drifted_columns": report.drifted_columns,
        "columns": document["columns"],
        "skipped": document["skipped"],
        "target": document.get("target"),
        "reference_rows": report.reference_rows,
        "current_rows": report.current_rows,
        "current_rows_compared": "new" if found.new_only else "all",
        "reference_versions": {p: md5 for p, md5 in trained.items() if p not in missing},
    }
