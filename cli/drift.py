"""``retrigger drift REFERENCE CURRENT``: compare two data versions column by column.

Thin: parse the options, call ``retrigger.drift``, render. Heavy imports happen in the body.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from retrigger.drift.result import DriftReport


DataArg = Annotated[
    str,
    typer.Argument(
        help="A file or folder (CSV, Parquet, JSON Lines), PATH@REV (git) or PATH@trained."
    ),
]
HtmlOption = Annotated[
    Path | None, typer.Option("--html", help="Write a self-contained HTML report.", dir_okay=False)
]
PngOption = Annotated[
    Path | None, typer.Option("--png", help="Write a small PNG summary.", dir_okay=False)
]
ColumnsOption = Annotated[
    str | None, typer.Option("--columns", help="Only these columns, comma-separated.")
]
StattestOption = Annotated[
    list[str] | None,
    typer.Option(
        "--stattest",
        metavar="COL=TEST",
        help="Test for a column (or type:num / type:cat); repeatable.",
    ),
]
ThresholdOption = Annotated[
    list[str] | None,
    typer.Option("--threshold", metavar="COL=X", help="Drift threshold for a column; repeatable."),
]
ShareOption = Annotated[
    float, typer.Option(help="Dataset drift at this share of drifted columns.", min=0.0, max=1.0)
]
WarnOption = Annotated[
    float | None, typer.Option(help="Warn band as a fraction of the threshold, between 0 and 1.")
]
BonferroniOption = Annotated[
    bool,
    typer.Option("--bonferroni", help="Divide p-value thresholds by the number of p-value tests."),
]
TargetOption = Annotated[
    str | None,
    typer.Option(
        "--target", help="The label column: tested, shown apart, not counted for dataset drift."
    ),
]
EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="auto | duckdb | spark | memory: duckdb/spark compare cached per-partition "
        "profiles of Parquet; memory the rows (exact). Default: signals.drift.engine, else auto.",
    ),
]
ModeOption = Annotated[
    str | None,
    typer.Option(
        "--mode",
        metavar="compatible|calibrated",
        help="Evidently's tests (compatible) or effect sizes with a confidence bound "
        "(calibrated). Default: signals.drift.mode, else compatible.",
    ),
]
SchemaOption = Annotated[
    bool,
    typer.Option("--schema-change-is-drift", help="Count a column on one side only as drifted."),
]


def register(app: typer.Typer) -> None:
    app.command("drift")(drift)


def drift(
    reference: DataArg,
    current: DataArg,
    json_output: JsonOption = False,
    html: HtmlOption = None,
    png: PngOption = None,
    columns: ColumnsOption = None,
    stattest: StattestOption = None,
    threshold: ThresholdOption = None,
    share: ShareOption = 0.5,
    warn: WarnOption = None,
    bonferroni: BonferroniOption = False,
    schema_change_is_drift: SchemaOption = False,
    target: TargetOption = None,
    engine: EngineOption = None,
    mode: ModeOption = None,
    config: ConfigOption = None,
) -> None:
    """Compare REFERENCE and CURRENT column by column with Evidently's default tests.

    Exit 0 whether or not the data drifted; the verdict is in the output.
    """
    from retrigger.commands import drift as command

    if warn is not None and not 0 < warn < 1:
        raise BadInput(f"--warn {warn}: give a fraction between 0 and 1, e.g. --warn 0.8")
    _check_mode(mode, stattest or threshold or bonferroni or warn is not None)
    options = command.DriftOptions(
        columns=[c.strip() for c in columns.split(",") if c.strip()] if columns else None,
        stattest=_pairs(stattest, "--stattest"),
        threshold=_thresholds(threshold),
        share=share,
        warn=warn,
        bonferroni=bonferroni,
        schema_change_is_drift=schema_change_is_drift,
        plots=html is not None,
        target=target,
    )
    with render.waiting("comparing the data…", json_output):
        report = command.drift(reference, current, options, config, html, png, engine, mode)
    if json_output:
        render.print_document("drift", report.as_json())
    else:
        show(report)


def _check_mode(mode: str | None, compatible_options: object) -> None:
    if mode is not None and mode not in ("compatible", "calibrated"):
        raise BadInput(f"--mode {mode!r}: give compatible or calibrated")
    if mode == "calibrated" and compatible_options:
        raise BadInput(
            "--stattest, --threshold, --bonferroni and --warn set Evidently's tests: drop them "
            "with --mode calibrated (its tolerances are signals.drift.tolerance)"
        )


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.rpartition("=")
        if not sep or not key or not value:
            raise BadInput(f"{option} {item!r}: write COLUMN=VALUE, e.g. {option} age=ks")
        pairs[key] = value
    return pairs


def _thresholds(values: list[str] | None) -> dict[str, float]:
    thresholds: dict[str, float] = {}
    for key, value in _pairs(values, "--threshold").items():
        try:
            thresholds[key] = float(value)
        except ValueError:
            raise BadInput(f"--threshold {key}={value}: {value!r} is not a number") from None
    return thresholds


def show(report: DriftReport) -> None:
    rows = [
        [name, c.type, c.test, render.number(c.score), render.number(c.threshold), c.status]
        for name, c in report.columns.items()
    ]
    render.table(
        "drift by column", ["column", "type", "test", "score", "threshold", "status"], rows
    )
    for name, column in report.columns.items():
        if column.effect is not None:  # calibrated: the effect size in words
            render.line(f"{name}: {column.effect.words()}")
    if report.target is not None:
        t = report.target
        render.line(f"target {t.name} (not counted): {t.test} {render.number(t.score)}, {t.status}")
    for skip in report.skipped.values():
        render.line(f"not tested: {skip.name} ({skip.type}): {skip.reason}")
    if report.partitions is not None:
        render.line(report.partitions.note())
    summary = (
        f"{report.n_drifted} of {report.n_columns} columns drifted "
        f"(share {report.share_drifted:.3f}, dataset drift at >= {report.share:g})"
    )
    if report.drift:
        render.line(f"DATASET DRIFT: {summary}", style="bold red")
    else:
        render.line(f"no dataset drift: {summary}")
