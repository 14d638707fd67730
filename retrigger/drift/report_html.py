"""One self-contained HTML file: summary, a sortable per-column table, distribution plots.

No network is needed to open it: styles, the sorting script and the plots (inline SVG) are all
in the file. Every value from the data is escaped.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from retrigger.drift.plots import Plot
    from retrigger.drift.result import ColumnResult, DriftReport

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}.drift{color:#b3261e;font-weight:600}.warn{color:#9a6700}.ok{color:#1a7f37}
table{border-collapse:collapse;margin:12px 0}th,td{padding:4px 10px;border-bottom:1px solid #ddd;
text-align:left}th{cursor:pointer;background:#f6f8fa;user-select:none}th:after{content:" \\2195";
color:#999}.plots{display:flex;flex-wrap:wrap;gap:16px}.plot{border:1px solid #ddd;padding:8px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
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
REF_COLOR, CUR_COLOR = "#4e79a7", "#e15759"


def render_html(report: DriftReport, title: str) -> str:
    """The whole document as a string."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        _summary(report),
        _table(report),
        _skipped(report),
        "<h2>Distributions</h2>",
        f"<p class='legend'><span style='background:{REF_COLOR}'></span>reference"
        f"<span style='background:{CUR_COLOR}'></span>current</p>",
        "<div class='plots'>",
        *(_plot_block(col) for col in report.columns.values() if col.plot is not None),
        "</div>",
        f"<script>{_SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)


def write_html(report: DriftReport, path: Path, title: str = "retrigger drift report") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, title), encoding="utf-8")


def _summary(report: DriftReport) -> str:
    verdict = "DATASET DRIFT" if report.drift else "no dataset drift"
    css = "drift" if report.drift else "ok"
    return (
        f"<p class='{css}'>{verdict}</p>"
        f"<p>{report.n_drifted} of {report.n_columns} columns drifted "
        f"(share {report.share_drifted:.3f}; dataset drift at ≥ {report.share:g}). "
        f"Reference {report.reference_rows:,} rows, current {report.current_rows:,} rows.</p>"
    )


def _table(report: DriftReport) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("column", "type", "test", "score", "threshold", "status", "missing ref",
                  "missing cur", "new categories")
    )
    rows = "\n".join(_row(col) for col in report.columns.values())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _row(col: ColumnResult) -> str:
    score = "" if col.score != col.score else f"{col.score:.4g}"
    cells = [
        html.escape(col.name), col.type, col.test, score, f"{col.threshold:.4g}",
        f"<span class='{_css(col.status)}'>{html.escape(col.status)}</span>",
        str(col.reference_missing), str(col.current_missing), str(col.new_categories),
    ]
    sort_score = f" data-v='{col.score!r}'" if score else ""
    tds = "".join(
        f"<td{sort_score if i == 3 else ''}>{cell}</td>" for i, cell in enumerate(cells)
    )
    return f"<tr>{tds}</tr>"


def _css(status: str) -> str:
    return {"drift": "drift", "warn": "warn", "ok": "ok"}.get(status, "drift")


def _skipped(report: DriftReport) -> str:
    if not report.skipped:
        return ""
    items = "".join(
        f"<li>{html.escape(s.name)} ({html.escape(s.type)}): {html.escape(s.reason)}</li>"
        for s in report.skipped.values()
    )
    return f"<h2>Not tested</h2><ul>{items}</ul>"


def _plot_block(col: ColumnResult) -> str:
    assert col.plot is not None
    caption = f"{col.name} — {col.test} {col.score:.4g} ({col.status})"
    return f"<div class='plot'><div>{html.escape(caption)}</div>{svg_bars(col.plot)}</div>"


def svg_bars(plot: Plot, width: int = 360, height: int = 160) -> str:
    """Paired bars per bin or category: reference and current shares side by side."""
    n = max(len(plot.labels), 1)
    top = max([*plot.reference, *plot.current, 1e-12])
    slot = width / n
    bar = max(slot / 2 - 1, 0.5)
    bars = []
    for i, (label, p, q) in enumerate(zip(plot.labels, plot.reference, plot.current, strict=True)):
        x = i * slot
        for offset, share, color in ((0.0, p, REF_COLOR), (bar, q, CUR_COLOR)):
            h = share / top * (height - 20)
            bars.append(
                f"<rect x='{x + offset:.1f}' y='{height - 20 - h:.1f}' width='{bar:.1f}' "
                f"height='{h:.1f}' fill='{color}'><title>{html.escape(label)}: "
                f"{share:.4f}</title></rect>"
            )
    first, last = (plot.labels[0], plot.labels[-1]) if plot.labels else ("", "")
    axis = (
        f"<text x='0' y='{height - 4}' font-size='10'>{html.escape(first[:14])}</text>"
        f"<text x='{width}' y='{height - 4}' font-size='10' text-anchor='end'>"
        f"{html.escape(last[:14])}</text>"
    )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"role='img'>{''.join(bars)}{axis}</svg>"
    )
