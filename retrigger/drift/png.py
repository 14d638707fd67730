"""A small PNG summary fit for a Slack message: how close each column is to its threshold.

matplotlib is imported here only, on use, because it costs half a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrigger.drift.stattests import get_test

if TYPE_CHECKING:
    from pathlib import Path

    from retrigger.drift.result import ColumnResult, DriftReport

MAX_COLUMNS = 15
RATIO_CAP = 5.0
COLORS = {"drift": "#b3261e", "warn": "#d4a72c", "ok": "#1a7f37"}


def severity(col: ColumnResult) -> float:
    """Score over threshold (1 = at the threshold), turned around for p-values, capped at 5."""
    test = get_test(col.test)
    if col.score != col.score:
        return 0.0
    if test is not None and test.is_pvalue:
        ratio = RATIO_CAP if col.score <= 0 else col.threshold / col.score
    else:
        ratio = col.score / col.threshold if col.threshold > 0 else RATIO_CAP
    return float(min(ratio, RATIO_CAP))


def _uncapped(col: ColumnResult) -> float:
    from retrigger.drift.report_html import severity as ratio

    return ratio(col)


def write_png(report: DriftReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ranked = sorted(report.columns.values(), key=severity, reverse=True)[:MAX_COLUMNS]
    fig, ax = plt.subplots(figsize=(6, 0.35 * max(len(ranked), 3) + 1.2), dpi=100)
    names = [c.name for c in ranked][::-1]
    values = [severity(c) for c in ranked][::-1]
    colors = [COLORS.get(c.status, COLORS["drift"]) for c in ranked][::-1]
    ax.barh(names, values, color=colors)
    ax.axvline(1.0, color="#444", linestyle="--", linewidth=1)
    for row, (column, value) in enumerate(zip(ranked[::-1], values, strict=True)):
        if value >= RATIO_CAP and _uncapped(column) > RATIO_CAP:
            # A capped bar says so: the real ratio is beyond the axis.
            ax.text(
                RATIO_CAP * 0.98,
                row,
                f"≥{RATIO_CAP:g}×",
                va="center",
                ha="right",
                color="white",
                fontsize=8,
                fontweight="bold",
            )
    ax.set_xlim(0, RATIO_CAP)
    ax.set_xlabel("score relative to drift threshold (1 = threshold)")
    verdict = "DATASET DRIFT" if report.drift else "no dataset drift"
    ax.set_title(f"{verdict}: {report.n_drifted}/{report.n_columns} columns drifted", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
