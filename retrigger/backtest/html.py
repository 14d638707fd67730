"""A self-contained HTML page: what was replayed (the what-if named in the title and the first
line), the verdicts in words, one chart per configured signal (matplotlib SVG, inline: no
script, no external file), and the points as a table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from retrigger.backtest import charts
from retrigger.backtest.estimates import EstimatorError
from retrigger.backtest.pricing import Priced
from retrigger.backtest.replay import Replay
from retrigger.backtest.report import limits, verdict_words
from retrigger.backtest.whatif import Change, describe
from retrigger.units import format as fmt


def page_title(replay: Replay, changes: Sequence[Change] = ()) -> str:
    model = replay.config.model.name
    if changes:
        return f"{model} backtest: {describe(changes)}"
    return f"{model} backtest: the configured policy"


def write_html(
    replay: Replay,
    path: Path,
    configured: Replay | None = None,
    changes: Sequence[Change] = (),
    priced: Priced | None = None,
    estimator: EstimatorError | None = None,
) -> None:
    title = page_title(replay, changes)
    marks = charts.Marks.of(replay, configured)
    metric = replay.config.model.metric
    body = [
        f"<h1>{escape(title)}</h1>",
        *([f"<p class='regret'>{escape(priced.regret_line())}</p>"] if priced else []),
        f"<p class='what'>{escape(_first_line(replay, changes))}</p>",
        f"<p class='verdicts'>{escape(_verdicts(replay, configured))}</p>",
        *([_cost(priced, replay)] if priced else []),
        *(_section(line, marks, metric) for line in charts.series(replay)),
        *([_estimates(estimator)] if estimator is not None else []),
        _points(replay),
        "<h2>Limits</h2><ul>" + "".join(f"<li>{escape(t)}</li>" for t in limits(replay)) + "</ul>",
    ]
    page = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        "<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


def _first_line(replay: Replay, changes: Sequence[Change]) -> str:
    span = (
        f"{len(replay.results)} commits from {fmt.timestamp(replay.results[0].point.commit.time)}"
        f" to {fmt.timestamp(replay.results[-1].point.commit.time)}"
        if replay.results
        else "no commit"
    )
    if changes:
        return (
            f"Replayed {span} with the policy of retrigger.yaml changed: "
            f"{describe(changes)}. Nothing was stored or retrained."
        )
    return f"Replayed {span} with the policy of retrigger.yaml. Nothing was stored or retrained."


def _verdicts(replay: Replay, configured: Replay | None) -> str:
    if configured is None:
        return f"Replayed verdicts: {verdict_words(replay)}."
    return (
        f"What-if: {verdict_words(replay)}. "
        f"Configured policy, for comparison (grey markers): {verdict_words(configured)}."
    )


def _section(line: charts.Series, marks: charts.Marks, metric: str) -> str:
    return (
        f'<section class="timeline" data-signal="{escape(line.kind)}">'
        f"<h2>{escape(line.kind)}</h2>{charts.svg(line, marks, metric)}</section>"
    )


def _cost(priced: Priced, replay: Replay) -> str:
    """The cost chart (matplotlib imported on use, as the signals' charts)."""
    from retrigger.backtest import costchart

    times = [r.point.commit.time for r in replay.results]
    notes = "".join(f"<p class='note'>cost: {escape(note)}</p>" for note in priced.notes)
    return (
        f'<section class="cost"><h2>cost</h2>{notes}'
        f"{costchart.svg(costchart.curves(priced), times)}</section>"
    )


def _estimates(estimator: EstimatorError) -> str:
    """The label-free estimates the checks stored, each beside the realised metric of its rows;
    the summary (or why there is none) first, as a reader asks "can I trust the estimate?"."""
    *pairs, summary = estimator.words()
    items = "".join(f"<li>{escape(line.removeprefix('estimate: '))}</li>" for line in pairs)
    return (
        f'<section class="estimates"><h2>label-free estimates</h2>'
        f"<p class='summary'>{escape(summary)}</p><ul>{items}</ul></section>"
    )


def _points(replay: Replay) -> str:
    rows = []
    for r in replay.results:
        readings = "; ".join(f"{x.kind}: {x.detail}" for x in r.readings)
        verdict = r.outcome + (
            f" ({r.verdict.held_by.replace('-', ' ')})" if r.verdict.held_by else ""
        )
        rows.append(
            f'<tr class="{r.outcome}"><td>{fmt.timestamp(r.point.commit.time)}</td>'
            f"<td>{r.point.commit.sha[:8]}</td><td>{escape(r.point.commit.subject)}</td>"
            f"<td>{escape(verdict)}</td><td>{escape(readings)}</td></tr>"
        )
    return (
        "<h2>Points</h2><table><tr><th>time</th><th>commit</th><th>subject</th><th>verdict</th>"
        "<th>readings</th></tr>" + "".join(rows) + "</table>"
    )


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}"
    "svg{display:block;max-width:100%;height:auto}"
    "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;"
    "padding:3px 6px;text-align:left}tr.fire{background:#fbe9e7}tr.hold{background:#fff8e1}"
)
