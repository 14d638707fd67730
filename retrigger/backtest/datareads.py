"""Volume and drift between the replayed trained version and a point's data, from the DVC cache.

The cost must grow linearly with the number of points: row counts are remembered by md5
(``data.rows.RowCache``), a delta or a drift report by the pair of versions it compares (a
what-if replays the same pairs again), and the tables of the trained version stay open while
the trained version does not move, so each version's CSV is parsed once per side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.backtest.inputs import Point
from retrigger.backtest.judges import unknown
from retrigger.config.models import DriftSignalConfig, VolumeSignalConfig
from retrigger.data.delta import DeltaReport, compute_delta, from_md5s
from retrigger.decision import Reading
from retrigger.errors import BadInput
from retrigger.signals.drift import options_for
from retrigger.signals.volume import judge

if TYPE_CHECKING:
    from retrigger.drift.engine import DriftOptions
    from retrigger.drift.io import Table
    from retrigger.drift.result import DriftReport

Pairs = tuple[tuple[str, str, str], ...]  # (path, trained md5, current md5)
_KEEP_TABLES = 4  # the trained side and the current side, for up to two data paths


class DataReader:
    """Reads and remembers; use as a context manager (open tables hold temporary files)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._deltas: dict[tuple[Pairs, str | None], DeltaReport] = {}
        self._drifts: dict[tuple[Pairs, str], DriftReport | str] = {}
        self._tables: dict[tuple[str, str], Table] = {}

    def __enter__(self) -> DataReader:
        return self

    def __exit__(self, *_: object) -> None:
        for table in self._tables.values():
            table.close()
        self._tables.clear()

    def volume(
        self,
        settings: VolumeSignalConfig,
        trained: dict[str, str],
        trained_version: str | None,
        point: Point,
    ) -> Reading:
        threshold = float(settings.min_new_rows) if settings.min_new_rows is not None else None
        if not trained:
            return unknown("volume", threshold, "no trained data version known at this point")
        key = (_pairs(trained, point), trained_version)
        if key not in self._deltas:
            self._deltas[key] = compute_delta(
                self.root,
                from_md5s(list(point.outs), trained),
                point.outs,
                old_version=trained_version,
            )
        reading = judge(self._deltas[key], settings, threshold)
        if reading.value is None:
            return unknown(
                "volume", threshold, "rows of a version are not in the DVC cache or remote"
            )
        return reading

    def drift(
        self,
        settings: DriftSignalConfig,
        trained: dict[str, str],
        point: Point,
        target: str | None = None,
        earlier: Sequence[Reading] = (),  # the replayed drift readings before, newest first
    ) -> Reading:
        from retrigger.signals.drift_calibrated import persist_over

        pairs = tuple(p for p in _pairs(trained, point) if p[1])
        if not pairs:
            return unknown("drift", settings.share, "no trained data version known at this point")
        if all(old == new for _, old, new in pairs):
            return Reading("drift", 0.0, settings.share, False, "same data as the trained version")
        # ``share`` only sets the dataset verdict: a report is reused across shares (--tune).
        unshared = settings.model_copy(update={"share": 1.0})
        key = (pairs, unshared.model_dump_json() + str(target))
        if key not in self._drifts:
            self._drifts[key] = self._compare(pairs, settings, target)
        found = self._drifts[key]
        if isinstance(found, str):
            return unknown("drift", settings.share, found)
        report = replace(found, share=settings.share)
        reference = {path: old for path, old, _ in pairs}
        held = persist_over(settings, report, reference, earlier)  # persist/sequential, as live
        return Reading(
            "drift",
            round(report.share_drifted, 4),
            settings.share,
            held.fired,
            _detail(report) + (f"; {held.detail}" if held.detail else ""),
            extra={
                "drifted_columns": report.drifted_columns,
                "reference_rows": report.reference_rows,
                "current_rows": report.current_rows,
                "reference_versions": reference,
                **held.extra,
            },
        )

    def _compare(
        self, pairs: Pairs, settings: DriftSignalConfig, target: str | None
    ) -> DriftReport | str:
        """As the signal compares: in ``signals.drift.mode``, the label column apart, only the
        new rows of append-only data when ``signals.drift.current`` says so."""
        from retrigger.drift.newrows import choose
        from retrigger.drift.result import DriftReport
        from retrigger.signals.drift_calibrated import compare_in_mode, judge_together

        merged = DriftReport(0, 0, settings.share)
        try:
            for path, old, new in pairs:
                options = options_for(settings, plots=False, target=target)
                report = self._profiled(path, old, new, settings, options)
                if report is not None:
                    _add(merged, report, f"{path}:" if len(pairs) > 1 else "")
                    continue
                ref, cur = self._table(path, old), self._table(path, new)
                if options.columns is not None and len(pairs) > 1:
                    known = set(ref.names) | set(cur.names)
                    options = replace(options, columns=[c for c in options.columns if c in known])
                    if not options.columns:
                        continue
                report = compare_in_mode(
                    ref, choose(ref, cur, settings.current).table, settings, options
                )
                _add(merged, report, f"{path}:" if len(pairs) > 1 else "")
        except BadInput as exc:
            return str(exc)
        judge_together(merged, settings)  # calibrated: BH across every path's columns
        return merged

    def _profiled(
        self, path: str, old: str, new: str, settings: DriftSignalConfig, options: DriftOptions
    ) -> DriftReport | None:
        """The pair as profiles (replayed from ``.retrigger/profiles``) when the settings
        choose a profile engine for it; None for the exact path."""
        from retrigger.data.formats import Unavailable
        from retrigger.drift.profiled import compare_versions

        found = compare_versions(self.root, path, old, new, settings, options)
        if found is None:
            return None
        if found.report is None:
            raise Unavailable(f"{path}: {found.reason}")
        return found.report

    def _table(self, path: str, md5: str) -> Table:
        from retrigger.drift.sources import open_version

        key = (path, md5)
        if key not in self._tables:
            if len(self._tables) >= _KEEP_TABLES:
                oldest = next(iter(self._tables))
                self._tables.pop(oldest).close()
            self._tables[key] = open_version(self.root, path, md5, f"{path}@{md5[:8]}")
        else:  # most recently used last, so the trained side survives eviction
            self._tables[key] = self._tables.pop(key)
        return self._tables[key]


def _add(merged: DriftReport, report: DriftReport, prefix: str) -> None:
    merged.reference_rows += report.reference_rows
    merged.current_rows += report.current_rows
    merged.columns.update({prefix + n: c for n, c in report.columns.items()})


def _pairs(trained: dict[str, str], point: Point) -> Pairs:
    return tuple((path, trained.get(path, ""), md5) for path, md5 in sorted(point.md5s.items()))


def _detail(report: DriftReport) -> str:
    verb = ">=" if report.drift else "<"
    named = ", ".join(sorted(report.drifted_columns)[:5])
    text = (
        f"{report.n_drifted} of {report.n_columns} columns drifted since the trained data "
        f"(share {report.share_drifted:.3g} {verb} {report.share:g})"
    )
    return text + (f": {named}" if named else "")
