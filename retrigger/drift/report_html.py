"""One self-contained HTML file: sources, verdict, a sortable per-column table ordered by
severity (drifted first), the target column apart, and distribution charts with axes.

No network is needed to open it: styles, the sorting script and the plots (inline SVG) are all
in the file. Every value from the data is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrigger.drift.charts import CUR_COLOR, REF_COLOR, bars_svg, rows_svg
from retrigger.drift.stattests import FULL_NAMES, get_test
from retrigger.units import format as fmt

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from retrigger.drift.result import ColumnResult, DriftReport
    from retrigger.drift.rowindex import RowView

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}.drift{color:#b3261e;font-weight:600}.warn{color:#9a6700}.ok{color:#1a7f37}
table{border-collapse:collapse;margin:12px 0}th,td{padding:4px 10px;border-bottom:1px solid #ddd;
text-align:left}th{cursor:pointer;background:#f6f8fa;user-select:none}th:after{content:" \\2195";
color:#999}.plots{display:flex;flex-wrap:wrap;gap:16px}.plot{border:1px solid #ddd;padding:8px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
.verdict{font-size:16px}small{color:#666}.more{color:#666;font-size:12px}
table.sources th{cursor:default}table.sources th:after{content:""}
"""
_SCRIPT = """
document.querySelectorAll("th").forEach(function(th, col){
  th.addEventListener("click", function(){
    var body = th.closest("table").tBodies[0], rows = Array.from(body.rows);
    var asc = th.dataset.asc !== "1"; th.dataset.asc = asc ? "1" : "0";
    rows.sort(function(a, b){
      var x = a.cells[col].dataset.v || a.cells[col].textContent;
      var y = b.cells[col].dataset.v || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
"""


@dataclass(frozen=True)
class Source:
    """One side of the comparison as a reader needs it to trust the page."""

    label: str  # path, path@rev or path@trained
    version: str | None = None  # DVC md5 or data version
    rows: int | None = None


@dataclass(frozen=True)
class Header:
    reference: Source
    current: Source
    decision: str | None = None  # the decision id, when the drift signal wrote the report
    commit: str | None = None
    compared: str | None = None  # which current rows were compared, and why


def render_html(
    report: DriftReport,
    title: str,
    header: Header | None = None,
    rows: Sequence[RowView] = (),
) -> str:
    """The whole document as a string: columns ordered by severity, drifted first; ``rows``
    are the row-index views of the drifted columns (``rowindex``)."""
    columns = ranked(report)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        _header(report, header),
        _summary(report),
        _table(columns),
        _target(report),
        _skipped(report),
        _row_views(rows),
        "<h2>Distributions</h2>",
        f"<p class='legend'><span style='background:{REF_COLOR}'></span>reference"
        f"<span style='background:{CUR_COLOR}'></span>current</p>",
        "<div class='plots'>",
        *(_plot_block(col) for col in columns if col.plot is not None),
        "</div>",
        f"<script>{_SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)


def write_html(
    report: DriftReport,
    path: Path,
    title: str = "retrigger drift report",
    header: Header | None = None,
    rows: Sequence[RowView] = (),
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, title, header, rows), encoding="utf-8")


def ranked(report: DriftReport) -> list[ColumnResult]:
    """The columns in the page's order: drifted first, then by severity."""
    return sorted(report.columns.values(), key=_rank)


def _rank(col: ColumnResult) -> tuple[int, float, str]:
    """Drifted first, then warned, then by how close the score is to its threshold."""
    order = {"drift": 0, "warn": 1, "ok": 2}.get(col.status, 0)
    return order, -severity(col), col.name


def severity(col: ColumnResult) -> float:
    """Score over threshold (1 = at the threshold), turned around for p-values; NaN is 0."""
    if col.score != col.score:
        return 0.0
    test = get_test(col.test)
    if test is not None and test.is_pvalue:
        return float("inf") if col.score <= 0 else col.threshold / col.score
    return col.score / col.threshold if col.threshold > 0 else float("inf")


def _header(report: DriftReport, header: Header | None) -> str:
    rows = [
        ("reference", header.reference if header else None, report.reference_rows),
        ("current", header.current if header else None, report.current_rows),
    ]
    cells = "".join(
        f"<tr><th scope='row'>{side}</th><td>{html.escape(src.label if src else '—')}</td>"
        f"<td>{html.escape((src.version or '—') if src else '—')}</td>"
        f"<td>{fmt.count(n, 'rows')}</td></tr>"
        for side, src, n in rows
    )
    facts = ""
    if header and (header.decision or header.commit):
        facts = (
            f"<p class='facts'>decision <code>{html.escape(header.decision or '—')}</code>"
            f" · commit <code>{html.escape((header.commit or '—')[:12])}</code></p>"
        )
    if header and header.compared:
        facts += f"<p class='compared'>Compared: {html.escape(header.compared)}.</p>"
    return (
        f"<table class='sources'><thead><tr><th></th><th>source</th><th>data version</th>"
        f"<th>rows</th></tr></thead><tbody>{cells}</tbody></table>{facts}"
    )


def _summary(report: DriftReport) -> str:
    verdict = "DATASET DRIFT" if report.drift else "no dataset drift"
    css = "drift" if report.drift else "ok"
    target = " The target column is shown apart and not counted." if report.target else ""
    return (
        f"<p class='{css} verdict'>{verdict}</p>"
        f"<p>{report.n_drifted} of {report.n_columns} columns drifted "
        f"({fmt.percent(report.share_drifted)}); dataset drift when at least "
        f"{fmt.percent(report.share)} of the columns drift.{target}</p>"
    )


_HEADINGS = (
    "column",
    "type",
    "test",
    "score",
    "drift when",
    "status",
    "missing ref",
    "missing cur",
    "new categories",
)


def _table(columns: list[ColumnResult], css: str = "columns") -> str:
    head = "".join(f"<th>{h}</th>" for h in _HEADINGS)
    rows = "\n".join(_row(col) for col in columns)
    return f"<table class='{css}'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _row(col: ColumnResult) -> str:
    score = "" if col.score != col.score else fmt.number(col.score)
    if col.effect is not None:  # calibrated mode: the effect with its interval, in words
        score = html.escape(col.effect.words())
    cells = [
        html.escape(col.name),
        col.type,
        html.escape(FULL_NAMES.get(col.test, col.test)),
        score,
        _rule(col),
        f"<span class='{_css(col.status)}'>{html.escape(col.status)}</span>",
        fmt.number(col.reference_missing),
        fmt.number(col.current_missing),
        fmt.number(col.new_categories),
    ]
    sort_score = f" data-v='{col.score!r}'" if score else ""
    tds = "".join(f"<td{sort_score if i == 3 else ''}>{cell}</td>" for i, cell in enumerate(cells))
    return f"<tr data-column='{html.escape(col.name)}'>{tds}</tr>"


def _rule(col: ColumnResult) -> str:
    """When this score means drift, in words; p-values say that lower means drift."""
    if col.effect is not None:
        return (
            f"lower bound ≥ {fmt.number(col.threshold)} "
            f"<small>(Benjamini–Hochberg at q = {fmt.number((1 - col.effect.level) / 2)})</small>"
        )
    test = get_test(col.test)
    if test is None:
        return "column on one side only"
    sign = {"<": "&lt;", "<=": "≤", ">=": "≥", ">": "&gt;"}[test.compare]
    if test.is_pvalue:
        return f"p-value {sign} {fmt.number(col.threshold)} <small>(lower means drift)</small>"
    return f"{sign} {fmt.number(col.threshold)} <small>(higher means drift)</small>"


def _css(status: str) -> str:
    return {"drift": "drift", "warn": "warn", "ok": "ok"}.get(status, "drift")


def _target(report: DriftReport) -> str:
    if report.target is None:
        return ""
    return (
        "<h2>Target column</h2><p>Tested apart: a change in the target is a change in what "
        "the model must predict, not a feature drifting.</p>" + _table([report.target], "target")
    )


def _skipped(report: DriftReport) -> str:
    if not report.skipped:
        return ""
    items = "".join(
        f"<li>{html.escape(s.name)} ({html.escape(s.type)}): {html.escape(s.reason)}</li>"
        for s in report.skipped.values()
    )
    return f"<h2>Not tested</h2><ul>{items}</ul>"


def _row_views(views: Sequence[RowView]) -> str:
    """Where the shift starts in the current rows, per drifted column."""
    if not views:
        return ""
    parts = [
        "<h2>Where in the rows the shift starts</h2><p>Each drifted column's test on "
        "consecutive windows of the current rows, against the whole reference. A window is a "
        "small sample: a p-value under the threshold there is weaker evidence than on all rows."
        "</p>"
    ]
    for view in views:
        start = view.starts
        said = (
            f"the shift starts at row {start.first:,}: the window of rows "
            f"{start.first:,}–{start.last:,} and every later one are past the threshold"
            if start is not None
            else "no run of windows up to the last row is past the threshold"
        )
        parts.append(
            f"<div class='rows' data-column='{html.escape(view.column)}'>"
            f"<p>{html.escape(view.column)}: {html.escape(said)}</p>{rows_svg(view)}</div>"
        )
    return "".join(parts)


def _plot_block(col: ColumnResult) -> str:
    assert col.plot is not None
    name = FULL_NAMES.get(col.test, col.test)
    caption = f"{col.name} — {name} {fmt.number(col.score)} ({col.status})"
    more = (
        f"<div class='more'>and {col.plot.hidden} less frequent categories not drawn</div>"
        if col.plot.hidden
        else ""
    )
    return (
        f"<div class='plot' data-column='{html.escape(col.name)}'><div>"
        f"{html.escape(caption)}</div>{bars_svg(col.plot, col.name)}{more}</div>"
    )
