"""``retrigger drift REFERENCE CURRENT``: column-by-column drift, and its reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from retrigger.config.models import DriftSignalConfig
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
    engine: str | None = None,
    mode: str | None = None,
) -> DriftReport:
    """Compare the two sides (paths, ``path@REV``, ``path@trained``, ``s3://`` prefixes) on
    the rows or as profiles (``engine``: over ``signals.drift.engine``, else auto), in
    ``mode`` (over ``signals.drift.mode``); write the reports asked."""
    from retrigger.drift.profiled_specs import engine_for

    settings = _settings(config)
    if mode is not None:
        settings = settings.model_copy(update={"mode": mode})
    chosen = engine_for(settings, engine, current)
    trained = _trained_paths(config)
    if chosen == "memory":
        report = _in_memory(reference, current, settings, options, trained)
    else:
        from retrigger.drift.profiled_specs import compare_specs as profiled

        report = profiled(reference, current, chosen, settings, options, Path.cwd(), trained)
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


def _in_memory(
    reference: str,
    current: str,
    settings: DriftSignalConfig,
    options: DriftOptions,
    trained: Callable[[], Mapping[str, str]],
) -> DriftReport:
    """The exact path on the rows, in the mode ``settings`` says (the signal's own code)."""
    from retrigger.drift.sources import open_spec
    from retrigger.signals.drift_calibrated import compare_in_mode, judge_together

    root = Path.cwd()
    with open_spec(reference, root, trained) as ref, open_spec(current, root, trained) as cur:
        report = compare_in_mode(ref, cur, settings, options)
    judge_together(report, settings)
    return report


def _settings(config: Path | None) -> DriftSignalConfig:
    """``signals.drift`` of the config (``--config`` or the nearest retrigger.yaml), defaults
    without one: ``retrigger drift`` runs outside a retrigger project too."""
    from retrigger.config.loader import find_config, load_config
    from retrigger.config.models import DriftSignalConfig
    from retrigger.errors import ConfigError

    try:
        found = find_config(config)
    except ConfigError:
        if config is not None:
            raise
        return DriftSignalConfig()
    # A config that is there but invalid is refused, never silently swapped for the defaults.
    return load_config(found).config.signals.drift or DriftSignalConfig()


def _trained_paths(config: Path | None) -> Callable[[], Mapping[str, str]]:
    """Path → md5 of the data the model in use was trained on, asked of MLflow on first use
    (only ``path@trained`` needs it)."""

    def load() -> Mapping[str, str]:
        from retrigger.lineage.trained import trained
        from retrigger.workspace import Workspace

        return trained(Workspace.load(config).tracking).md5s

    return load
