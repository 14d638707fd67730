"""The timelines as one PNG for Slack or a PR comment; matplotlib is imported here, on use."""

from __future__ import annotations

from pathlib import Path

from retrigger.backtest.html import REAL, REPLAYED, series
from retrigger.backtest.replay import Replay


def write_png(replay: Replay, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = series(replay)
    fig, axes = plt.subplots(
        max(len(lines), 1),
        1,
        figsize=(8, 1.9 * max(len(lines), 1) + 0.6),
        dpi=100,
        sharex=True,
        squeeze=False,
    )
    fired = [r.point.commit.time for r in replay.results if r.verdict.fire]
    for ax, line in zip(axes[:, 0], lines, strict=False):
        known = [(t, v) for t, v in zip(line.times, line.values, strict=True) if v is not None]
        limit = [(t, v) for t, v in zip(line.times, line.thresholds, strict=True) if v is not None]
        if known:
            ax.plot(*zip(*known, strict=True), marker="o", markersize=3, color="#222")
        if limit:
            ax.plot(*zip(*limit, strict=True), linestyle="--", color="#d4a72c")
        for when in fired:
            ax.axvline(when, color=REPLAYED, linewidth=1)
        for real in replay.real:
            ax.axvline(real.time, color=REAL, linestyle=":", linewidth=1)
        ax.set_ylabel(line.kind, fontsize=9)
    axes[0, 0].set_title(
        f"backtest: {replay.retrains} replayed retrains (red), {len(replay.real)} real (blue)",
        fontsize=10,
    )
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
