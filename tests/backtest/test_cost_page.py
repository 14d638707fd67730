"""The backtest page's cost chart (``--cost --html``): what a reader sees, parsed with lxml.

On tests/backtest/history.py's history with ``retrain: 100, staleness: 1000`` (counted by hand
in tests/backtest/test_cost_cli.py): the policy retrains at 2, 4, 6, 9 and its J is unknown
from period 1 (cell (0, 1) was never recorded); the Oracle retrains at every period 1-9 for
900; the fixed period tuned on periods 0-4 is k = 1 (9 retrains); never retrains 0 times and is
unknown from period 1 too (M[1][1] is unknown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import html as lxml_html  # type: ignore[import-untyped]

from retrigger.backtest import cost, costchart
from tests.backtest.test_cost import HAND, NAN, problem
from tests.backtest.test_cost_cli import PRICES
from tests.support.cli import run_cli


def test_cumulative_cost_ends_at_the_schedules_j_and_stops_at_an_unknown_cell() -> None:
    # Retrains at 1 and 4 (test_cost.py): 30, +80, +50, +30, +40.
    assert costchart.cumulative(problem(), [1, 4]) == [0, 30, 110, 160, 190, 230]
    assert cost.schedule_cost(problem(), [1, 4], "policy").cost == 230
    holes = [row[:] for row in HAND]
    holes[1][3] = NAN
    assert costchart.cumulative(problem(holes), [1, 4]) == [0, 30, 110, None, None, None]


def _texts(node: Any) -> list[str]:
    return [t.strip() for t in node.xpath(".//*[local-name()='text']//text()") if t.strip()]


def _markers(svg: Any, gid: str) -> int:
    """Markers drawn by the line whose id is ``gid`` (one ``<use>`` per point)."""
    groups = svg.xpath(f".//*[@id='{gid}']")
    assert len(groups) == 1, gid
    return len(groups[0].xpath(".//*[local-name()='use']"))


def test_the_page_says_the_regret_at_the_top_and_draws_cost_over_time(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history_project
    page_file = tmp_path / "cost.html"

    result = run_cli(
        "backtest",
        "--config",
        str(root / "retrigger.yaml"),
        "--set",
        PRICES,
        "--cost",
        "--html",
        str(page_file),
    )

    assert result.code == 0, result.err
    page = lxml_html.fromstring(page_file.read_text(encoding="utf-8"))
    first = page.xpath("//h1/following-sibling::p[1]")[0]
    assert first.get("class") == "regret"
    assert first.text_content().startswith("cost: policy J unknown (4 retrains); Oracle J 900")
    assert "regret unknown" in first.text_content()
    section = page.xpath("//section[@class='cost']")[0]
    texts = _texts(section)
    assert costchart.TITLE in texts and "cumulative J" in texts
    for label in (
        "replayed policy",
        "Oracle (hindsight)",
        "every period (k tuned on periods 0-4, dotted there)",
        "never retrain",
        costchart.UNKNOWN_LABEL,
    ):
        assert label in texts, (label, texts)
    for row in ("policy (4)", "Oracle (9)", "every period (9)", "never (0)"):  # retrain counts
        assert row in texts, (row, texts)
    svg = section.xpath(".//*[local-name()='svg']")[0]
    assert _markers(svg, "cost-policy-retrains") == 4
    assert _markers(svg, "cost-oracle-retrains") == 9
    assert _markers(svg, "cost-never-retrains") == 0
    assert _markers(svg, "cost-policy-unknown") == 1  # where its J stops being known
