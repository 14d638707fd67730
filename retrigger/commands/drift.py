"""``retrigger drift REFERENCE CURRENT``: column-by-column drift, and its reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from retrigger.drift.engine import DriftOptions
from retrigger.drift.result import DriftReport

__all__ = ["DriftOptions", "drift"]


def drift(
    reference: str,
    current: str,
    options: DriftOptions,
    config: Path | None,
    html: Path | None = None,
    png: Path | None = None,
) -> DriftReport:
    """Compare the two sides (paths, ``path@REV``, ``path@trained``); write the reports asked."""
    from retrigger.drift.sources import compare_specs

    report = compare_specs(reference, current, options, Path.cwd(), _trained_paths(config))
    if html is not None:
        from retrigger.drift.report_html import Header, Source, write_html

        header = Header(
            Source(reference, rows=report.reference_rows), Source(current, rows=report.current_rows)
        )
        write_html(report, html, f"drift: {reference} → {current}", header)
    if png is not None:
        from retrigger.drift.png import write_png

        write_png(report, png)
    return report


def _trained_paths(config: Path | None) -> Callable[[], Mapping[str, str]]:
    """Path → md5 of the data the model in use was trained on, asked of MLflow on first use
    (only ``path@trained`` needs it)."""

    def load() -> Mapping[str, str]:
        from retrigger.lineage.trained import trained
        from retrigger.workspace import Workspace

        return trained(Workspace.load(config).tracking).md5s

    return load
