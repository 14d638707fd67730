"""The backtest page and PNG read without docs: the what-if named in the title and the first
line, verdicts in words (never a Python dict), every chart with a title and axes in units.
Parsed with lxml, and rendered in a real headless Chromium (Debian's) through Playwright."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html  # type: ignore[import-untyped]

from tests.support.cli import run_cli

Y_LABELS = {
    "performance": r"accuracy",
    "schedule": r"age of the trained data \((days|hours|minutes)\)",
    "volume": r"rows added since the trained data",
    "drift": r"columns drifted \(%\)",
}
WHAT_IF = "what if policy.cooldown=0s (configured: 3d)"


def _what_if_page(root: Path, page: Path) -> str:
    result = run_cli(
        "backtest",
        "--config",
        str(root / "retrigger.yaml"),
        "--set",
        "policy.cooldown=0s",
        "--compare",
        "--html",
        str(page),
    )
    assert result.code == 0, result.err
    return page.read_text(encoding="utf-8")


def _svg_texts(section: Any) -> list[str]:
    return [t.strip() for t in section.xpath(".//*[local-name()='text']//text()") if t.strip()]


def test_the_what_if_page_names_it_and_says_verdicts_in_words(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history_project

    text = _what_if_page(root, tmp_path / "what-if.html")
    page = lxml_html.fromstring(text)

    assert WHAT_IF in page.findtext(".//title")
    assert WHAT_IF in page.xpath("string(//h1)")
    assert page.xpath("string(//p[@class='what'])").startswith("Replayed 10 commits")
    assert WHAT_IF in page.xpath("string(//p[@class='what'])")
    verdicts = page.xpath("string(//p[@class='verdicts'])")
    # Configured policy, counted by hand in tests/backtest/history.py: 4 fired, one held by
    # the cooldown, one by identical inputs.
    assert "fired 4, held 2 (1 cooldown, 1 identical inputs), quiet 4 of 10 commits" in verdicts
    assert "{'" not in page.text_content() and "{'" not in text


def test_every_chart_has_a_title_and_axes_in_units(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history_project
    page = lxml_html.fromstring(_what_if_page(root, tmp_path / "what-if.html"))

    sections = page.xpath("//section[@class='timeline']")
    assert [s.get("data-signal") for s in sections] == list(Y_LABELS)
    for section in sections:
        texts = _svg_texts(section)
        kind = section.get("data-signal")
        assert any(t.startswith(f"{kind}: ") for t in texts), texts  # the chart's title
        assert "commit time (UTC)" in texts
        assert any(re.fullmatch(Y_LABELS[kind], t) for t in texts), (kind, texts)
        # No number is printed in scientific notation (the schedule once read -4.8e-05).
        assert not [t for t in texts if re.fullmatch(r"[−-]?[\d.]+e[−+-]?\d+", t)], texts


def test_the_png_is_titled_with_the_what_if(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history_project
    png = tmp_path / "what-if.png"

    result = run_cli(
        "backtest", "--config", str(root / "retrigger.yaml"), "--set", "policy.cooldown=0s",
        "--png", str(png),
    )  # fmt: skip

    assert result.code == 0, result.err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _chromium() -> str | None:
    """Debian's headless Chromium (``apt-get install chromium-headless-shell``) or chromium."""
    named = os.environ.get("RETRIGGER_TEST_CHROMIUM")
    return named or shutil.which("chromium-headless-shell") or shutil.which("chromium")


@pytest.mark.slow
def test_the_page_reads_in_a_real_browser(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    browser_path = _chromium()
    if browser_path is None:
        pytest.skip("no Chromium: apt-get install chromium-headless-shell")
    sync_api = pytest.importorskip("playwright.sync_api")
    root, _ = history_project
    page_file = tmp_path / "what-if.html"
    _what_if_page(root, page_file)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path)
        try:
            tab = browser.new_page(viewport={"width": 1200, "height": 900})
            tab.goto(page_file.as_uri())
            title, heading = tab.title(), tab.locator("h1").inner_text()
            body = tab.locator("body").inner_text()
            charts = tab.locator("section.timeline svg")
            sizes = [charts.nth(i).bounding_box() for i in range(charts.count())]
            labels = tab.locator("section.timeline svg text", has_text="commit time (UTC)")
            shown = [labels.nth(i).is_visible() for i in range(labels.count())]
        finally:
            browser.close()

    assert WHAT_IF in title and WHAT_IF in heading
    assert "{'" not in body and "held 2 (1 cooldown, 1 identical inputs)" in body
    assert len(sizes) == 4
    assert all(box is not None and box["width"] > 400 and box["height"] > 100 for box in sizes)
    assert shown == [True] * 4  # each chart's time axis is labelled, on screen


def test_a_schedule_of_minutes_is_drawn_in_minutes_with_its_threshold_said() -> None:
    from retrigger.backtest.charts import unit_for

    minutes = unit_for("schedule", "accuracy", [0.0, 0.0005, 0.0013])  # ages kept in days
    days = unit_for("schedule", "accuracy", [0.0, 4.0, 37.0])

    assert minutes.label == "age of the trained data (minutes)"
    assert minutes.tick(0.0013 * minutes.scale) == "1.87"  # not 0.0013 days
    assert minutes.said(30.0) == "30 d"
    assert days.label == "age of the trained data (days)"
