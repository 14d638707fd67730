"""A self-contained HTML page: one timeline per configured signal (inline SVG, no script, no
external file), the replayed retrains and the real ones as markers, the points as a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from retrigger.backtest.replay import Replay
from retrigger.backtest.report import limits

WIDTH, HEIGHT, PAD = 860, 200, 44
REPLAYED, REAL, CONFIGURED = "#b3261e", "#1f5fbf", "#888888"


@dataclass(frozen=True)
class Series:
    kind: str
    times: list[datetime]
    values: list[float | None]
    thresholds: list[float | None]


def series(replay: Replay) -> list[Series]:
    kinds = [r.kind for r in replay.results[0].readings] if replay.results else []
    found = []
    for index, kind in enumerate(kinds):
        readings = [result.readings[index] for result in replay.results]
        found.append(
            Series(
                kind,
                [r.point.commit.time for r in replay.results],
                [r.value for r in readings],
                [r.threshold for r in readings],
            )
        )
    return found


def write_html(replay: Replay, path: Path, configured: Replay | None = None) -> None:
    fired = [r.point.commit.time for r in replay.results if r.verdict.fire]
    before = (
        [r.point.commit.time for r in configured.results if r.verdict.fire]
        if configured is not None
        else []
    )
    real = [r.time for r in replay.real]
    sections = [_section(s, fired, real, before) for s in series(replay)]
    body = "\n".join(
        [
            "<h1>retrigger backtest</h1>",
            f"<p>{replay.retrains} replayed retrains, held: {escape(str(replay.held))}, quiet: "
            f"{replay.quiet}, real retrains: {len(replay.real)}.</p>",
            _legend(configured is not None),
            *sections,
            _points(replay),
            "<h2>Limits</h2><ul>"
            + "".join(f"<li>{escape(t)}</li>" for t in limits(replay))
            + "</ul>",
        ]
    )
    page = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>retrigger backtest</title><style>{_CSS}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


def _legend(with_configured: bool) -> str:
    items = [(REPLAYED, "replayed retrain"), (REAL, "real retrain (MLflow)")]
    if with_configured:
        items.append((CONFIGURED, "retrain under the configured policy"))
    return (
        '<p class="legend">'
        + " ".join(f'<span style="color:{c}">&#9646; {escape(t)}</span>' for c, t in items)
        + "</p>"
    )


def _section(
    s: Series, fired: list[datetime], real: list[datetime], configured: list[datetime]
) -> str:
    return (
        f'<section class="timeline" data-signal="{escape(s.kind)}">'
        f"<h2>{escape(s.kind)}</h2>{_svg(s, fired, real, configured)}</section>"
    )


def _svg(s: Series, fired: list[datetime], real: list[datetime], configured: list[datetime]) -> str:
    t0, t1 = min(s.times + real), max(s.times + real)
    known = [v for v in s.values + s.thresholds if v is not None] or [0.0, 1.0]
    low, high = min(known), max(known)
    span, spread = (t1 - t0).total_seconds() or 1.0, (high - low) or 1.0
    low, high = low - 0.08 * spread, high + 0.08 * spread

    def x(t: datetime) -> float:
        return PAD + (WIDTH - 2 * PAD) * (t - t0).total_seconds() / span

    def y(v: float) -> float:
        return HEIGHT - PAD + (2 * PAD - HEIGHT) * (v - low) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(s.kind)}">',
        f'<text x="4" y="{PAD - 8}">{high:.4g}</text>',
        f'<text x="4" y="{HEIGHT - PAD + 4}">{low:.4g}</text>',
        f'<text x="{PAD}" y="{HEIGHT - 8}">{t0:%Y-%m-%d}</text>',
        f'<text x="{WIDTH - PAD - 70}" y="{HEIGHT - 8}">{t1:%Y-%m-%d}</text>',
    ]
    for times, color, dash in (
        (configured, CONFIGURED, "2 3"),
        (real, REAL, "6 3"),
        (fired, REPLAYED, ""),
    ):
        parts += [
            f'<line class="marker" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{PAD - 6}" '
            f'y2="{HEIGHT - PAD}" stroke="{color}" stroke-dasharray="{dash}"/>'
            for t in times
        ]
    parts.append(_line(s.times, s.thresholds, x, y, "threshold", "#d4a72c", "5 4"))
    parts.append(_line(s.times, s.values, x, y, "value", "#222222", ""))
    parts += [
        f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3" fill="#222">'
        f"<title>{t:%Y-%m-%d %H:%M} {v:.4g}</title></circle>"
        for t, v in zip(s.times, s.values, strict=True)
        if v is not None
    ]
    parts += [
        f'<text class="unknown" x="{x(t) - 3:.1f}" y="{HEIGHT - PAD - 2}">?</text>'
        for t, v in zip(s.times, s.values, strict=True)
        if v is None
    ]
    return "".join(parts) + "</svg>"


def _line(
    times: list[datetime],
    values: list[float | None],
    x: object,
    y: object,
    name: str,
    color: str,
    dash: str,
) -> str:
    assert callable(x) and callable(y)
    points = " ".join(
        f"{x(t):.1f},{y(v):.1f}" for t, v in zip(times, values, strict=True) if v is not None
    )
    return (
        f'<polyline class="{name}" points="{points}" fill="none" stroke="{color}" '
        f'stroke-dasharray="{dash}"/>'
    )


def _points(replay: Replay) -> str:
    rows = []
    for r in replay.results:
        readings = "; ".join(f"{x.kind}: {x.detail}" for x in r.readings)
        verdict = r.outcome + (f" ({r.verdict.held_by})" if r.verdict.held_by else "")
        rows.append(
            f'<tr class="{r.outcome}"><td>{r.point.commit.time:%Y-%m-%d %H:%M}</td>'
            f"<td>{r.point.commit.sha[:8]}</td><td>{escape(verdict)}</td>"
            f"<td>{escape(readings)}</td></tr>"
        )
    return (
        "<h2>Points</h2><table><tr><th>time</th><th>commit</th><th>verdict</th>"
        "<th>readings</th></tr>" + "".join(rows) + "</table>"
    )


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "svg{border:1px solid #ddd;background:#fff}svg text{font-size:11px;fill:#555}"
    "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;"
    "padding:3px 6px;text-align:left}tr.fire{background:#fbe9e7}tr.hold{background:#fff8e1}"
)
