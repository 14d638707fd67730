"""The HTML report read as a person would, parsed: severity order, full test names, the
p-value hint, axes on every chart, categories by name in value order, the header, the target."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import TYPE_CHECKING

import numpy as np

from retrigger.drift.report_html import Header, Source, render_html
from tests.drift.conftest import Writer, drift_of

if TYPE_CHECKING:
    from retrigger.drift.result import DriftReport


class Page(HTMLParser):
    """Rows of the per-column table, chart order, tick texts and the sources table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.charts: list[str] = []
        self.ticks: dict[str, list[str]] = {}
        self.sources: list[list[str]] = []
        self._table = ""
        self._cell: list[str] | None = None
        self._tick: str | None = None
        self._chart = ""
        self._in_title = False
        self._groups: list[str] = []  # ids of the open <g> (matplotlib: xtick_1, ytick_2)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("class") or ""
        elif tag == "tr" and self._table in ("columns", "sources"):
            (self.rows if self._table == "columns" else self.sources).append([])
        elif tag in ("td", "th") and self._table in ("columns", "sources"):
            self._cell = []
        elif tag == "div" and a.get("class") == "plot":
            self._chart = a.get("data-column") or ""
            self.charts.append(self._chart)
        elif tag == "g":
            self._groups.append(a.get("id") or "")
        elif tag == "text":
            ticks = [g.split("_")[0] for g in self._groups if g.startswith(("xtick_", "ytick_"))]
            self._tick = ticks[-1] if ticks else None
        elif tag == "title":
            self._in_title = True  # a tick's tooltip repeats its text

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            target = self.rows if self._table == "columns" else self.sources
            target[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = ""
        elif tag == "text":
            self._tick = None
        elif tag == "g" and self._groups:
            self._groups.pop()
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._tick is not None and not self._in_title:
            key = f"{self._chart}:{self._tick}"
            self.ticks.setdefault(key, []).append(data)


def _report(write: Writer) -> DriftReport:
    rng = np.random.default_rng(3)
    n = 3000
    ref = write(
        "ref.parquet",
        {
            "mild": rng.normal(0, 1, n),
            "strong": rng.normal(0, 1, n),
            "level": rng.integers(0, 8, n),
            "label": rng.integers(0, 2, n),
        },
    )
    cur = write(
        "cur.parquet",
        {
            "mild": rng.normal(0.15, 1, n),
            "strong": rng.normal(1.0, 1, n),
            "level": rng.integers(0, 8, n),
            "label": (rng.random(n) < 0.8).astype(np.int64),
        },
    )
    return drift_of(ref, cur, target="label")


def _page(report: DriftReport) -> Page:
    page = Page()
    header = Header(
        Source("data/train.parquet@trained", "3f9a1c", 3000),
        Source("data/train.parquet", None, 3000),
        "d-20260315T020000-9f3a1c",
        "0123456789abcdef",
    )
    page.feed(render_html(report, "churn: drift", header))
    return page


def test_columns_are_ordered_by_severity_with_full_test_names(write: Writer) -> None:
    page = _page(_report(write))

    table = page.rows[1:]  # after the heading row
    assert [r[0] for r in table] == ["strong", "mild", "level"]
    assert table[0][2] == "Wasserstein distance (normed)"
    assert table[0][4] == "≥ 0.1 (higher means drift)"
    assert table[2][2] == "Jensen–Shannon distance"
    assert page.charts == ["strong", "mild", "level"]


def test_p_values_say_that_lower_means_drift(write: Writer) -> None:
    rng = np.random.default_rng(4)
    ref = write("r.parquet", {"x": rng.normal(0, 1, 300)})
    cur = write("c.parquet", {"x": rng.normal(1, 1, 300)})

    page = _page(drift_of(ref, cur))

    assert page.rows[1][2] == "Kolmogorov–Smirnov p-value"
    assert page.rows[1][4] == "p-value ≤ 0.05 (lower means drift)"


def test_charts_have_axes_and_integer_categories_named_in_value_order(write: Writer) -> None:
    page = _page(_report(write))

    assert page.ticks["level:xtick"] == [str(i) for i in range(8)]
    assert page.ticks["level:ytick"][0] == "0%"
    assert len(page.ticks["strong:xtick"]) >= 3  # values of the bins' axis, as numbers
    float(page.ticks["strong:xtick"][0].replace("−", "-"))


def test_header_names_both_sources_the_decision_and_the_commit(write: Writer) -> None:
    page = _page(_report(write))
    text = render_html(
        _report(write),
        "t",
        Header(Source("a@trained", "3f9a1c", 3000), Source("a"), "d-1", "0123456789abcdef"),
    )

    assert page.sources[1] == ["reference", "data/train.parquet@trained", "3f9a1c", "3,000 rows"]
    assert page.sources[2][:3] == ["current", "data/train.parquet", "—"]
    assert "decision <code>d-1</code>" in text and "<code>0123456789ab</code>" in text


def test_the_target_column_is_apart_and_not_counted(write: Writer) -> None:
    report = _report(write)

    assert report.target is not None and report.target.name == "label"
    assert report.target.drift
    assert "label" not in report.columns and report.n_columns == 3
    assert "<h2>Target column</h2>" in render_html(report, "t")


def test_calibrated_row_reads_the_effect_with_its_interval_against_the_tolerance() -> None:
    from retrigger.drift.calibrated import Effect
    from retrigger.drift.result import ColumnResult, DriftReport

    effect = Effect("shift", 0.31, 0.27, 0.35, 0.1, 0.002, 0.9)
    report = DriftReport(1000, 1000, 0.5)
    report.columns["age"] = ColumnResult(
        "age", "num", "shift", 0.31, 0.1, True, "drift", effect=effect
    )

    page = Page()
    page.feed(render_html(report, "calibrated"))

    row = next(r for r in page.rows if r and r[0] == "age")
    assert "shifted by 0.31 (0.27–0.35), tolerance 0.10" in row
    assert any(cell.startswith("lower bound ≥ 0.1") for cell in row)
    assert report.as_json()["columns"]["age"]["effect"]["interval"] == [0.27, 0.35]  # type: ignore[index]
