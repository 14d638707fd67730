"""The timelines as one PNG for Slack or a PR comment: the same matplotlib charts as the page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from retrigger.backtest import charts
from retrigger.backtest.html import page_title
from retrigger.backtest.replay import Replay
from retrigger.backtest.report import verdict_words
from retrigger.backtest.whatif import Change


def write_png(
    replay: Replay, path: Path, configured: Replay | None = None, changes: Sequence[Change] = ()
) -> None:
    title = f"{page_title(replay, changes)}\n{verdict_words(replay)}"
    marks = charts.Marks.of(replay, configured)
    image = charts.png(charts.series(replay), marks, replay.config.model.metric, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image)
