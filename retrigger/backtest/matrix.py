"""The evaluation matrix of a history, trained (``backtest --train``).

For each period ``i`` (a commit), the model the pipeline would have trained on the data as of
``i`` (``training.plan``, run in a ``scratch.Scratch``; kept by the digest of its inputs, so a
model is trained once whatever the number of runs), then ``M[i][j]``: that model scored on each
later period ``j``'s rows (``scorers``). A score already computed for the same model key, rows
and metric is reused. Every cell says where it came from; what could not be trained or scored
is unknown (NaN) with the reason, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from retrigger.backtest import overlap
from retrigger.backtest.matrix_store import MatrixStore, Trained
from retrigger.backtest.scorers import Rows, Scorer
from retrigger.backtest.scratch import Scratch
from retrigger.backtest.training import Plan, plan
from retrigger.errors import RetriggerError

Say = Callable[[str], None]


@dataclass(frozen=True)
class PeriodAt:
    """A commit to train at."""

    sha: str
    time: datetime
    data_version: str | None


@dataclass(frozen=True)
class Period:
    at: PeriodAt
    model: Trained | None  # None: not trained (``why``)
    trained_now: bool  # False: the model kept from an earlier run or period was reused
    rows: Rows | None  # None: no rows to score on (``why``)
    why: tuple[str, ...] = ()
    trained_rows: overlap.TrainedRows | None = None  # None: not checked (``overlap``)

    def as_json(self) -> dict[str, object]:
        model = self.model
        return {
            "commit": self.at.sha,
            "time": self.at.time.isoformat(),
            "data_version": self.at.data_version,
            "model": None
            if model is None
            else {
                "key": model.key,
                "trained_at_commit": model.commit,
                "data_version": model.data_version,
                "seconds": model.seconds,
                "trained_now": self.trained_now,
            },
            "rows": None
            if self.rows is None
            else {"md5": self.rows.key, "rows": self.rows.count, "path": self.rows.path},
            "unknown": list(self.why),
            # The training tables its validation rows were looked up in; null: not checked.
            "overlap_checked": None if self.trained_rows is None else list(self.trained_rows.paths),
        }


@dataclass(frozen=True)
class Cell:
    i: int
    j: int
    value: float | None
    reused: bool  # read back from scores.json
    why: str | None = None


@dataclass(frozen=True)
class TrainedMatrix:
    metric: str
    greater_is_better: bool
    scorer: str  # which rows, in words
    periods: tuple[Period, ...]
    cells: tuple[Cell, ...]
    path: Path | None = None  # matrix.json

    @property
    def trained_now(self) -> int:
        return sum(1 for p in self.periods if p.trained_now)

    def values(self) -> NDArray[np.float64]:
        """``M[i][j]`` (``cost.CostProblem``'s matrix), NaN where unknown or ``j < i``."""
        size = len(self.periods)
        found = np.full((size, size), np.nan)
        for cell in self.cells:
            if cell.value is not None:
                found[cell.i, cell.j] = cell.value
        return found

    def measured_seconds(self) -> list[float]:
        """The measured training duration of each distinct model of the history."""
        models = {p.model.key: p.model.seconds for p in self.periods if p.model is not None}
        return list(models.values())

    def summary(self) -> str:
        models = len({p.model.key for p in self.periods if p.model is not None})
        known = sum(1 for c in self.cells if c.value is not None)
        seconds = self.measured_seconds()
        took = f", {sum(seconds):.1f} s of training measured" if seconds else ""
        return (
            f"train: {len(self.periods)} periods, {models} distinct models ({self.trained_now} "
            f"trained now, {models - self.trained_now} reused){took}; {known} of "
            f"{len(self.cells)} cells known, "
            f"{self.metric} on {self.scorer}" + (f"; matrix in {self.path}" if self.path else "")
        )

    def table(self) -> list[str]:
        """``M[i][j]`` as text, a row per period trained at ("?" unknown), for a short history."""
        values = self.values()
        lines = [f"  M[i][j]: {self.metric} of the model trained at period i (row) on period j"]
        for i, period in enumerate(self.periods):
            cells = [
                "" if j < i else ("?" if np.isnan(values[i, j]) else f"{values[i, j]:.3f}")
                for j in range(len(self.periods))
            ]
            lines.append(f"  {i:>3} {period.at.sha[:8]}  " + " ".join(f"{c:>6}" for c in cells))
        return lines

    def as_json(self) -> dict[str, object]:
        periods = self.periods
        return {
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "scored_on": self.scorer,
            "periods": [p.as_json() for p in periods],
            "cells": [_cell_json(c, periods) for c in self.cells],
        }


def build(
    root: Path,
    points: Sequence[PeriodAt],
    scorer: Scorer,
    artifact: str,
    env: Mapping[str, str],
    timeout: timedelta | None,
    say: Say,
) -> TrainedMatrix:
    store = MatrixStore(root)
    periods: list[Period] = []
    cells: list[Cell] = []
    with Scratch.opened(root) as scratch:
        for j, at in enumerate(points):
            scratch.checkout(at.sha)
            period = _period(scratch, store, at, scorer, artifact, env, timeout, say)
            periods.append(period)
            cells += [_cell(store, scorer, periods, i, j, scratch.tree) for i in range(j + 1)]
    found = TrainedMatrix(
        scorer.metric, scorer.greater_is_better, scorer.described, tuple(periods), tuple(cells)
    )
    path = store.write_matrix(found.as_json())
    return TrainedMatrix(
        found.metric, found.greater_is_better, found.scorer, found.periods, found.cells, path
    )


def _period(
    scratch: Scratch,
    store: MatrixStore,
    at: PeriodAt,
    scorer: Scorer,
    artifact: str,
    env: Mapping[str, str],
    timeout: timedelta | None,
    say: Say,
) -> Period:
    """The model of the period (trained, or kept by its inputs' digest) and its rows."""
    tree = scratch.tree
    try:
        steps = plan(tree, artifact, scorer.reads(tree), at.sha)
    except RetriggerError as exc:
        return Period(at, None, False, None, (str(exc),))
    model, now, why = store.trained(steps.key), False, []
    if model is not None:
        store.restore(steps.key, tree)
        failed = scratch.place(steps.rows_data)
    else:
        failed = scratch.place([*steps.data, *steps.rows_data])
        if failed is None:
            model, now, failed = _train(scratch, store, at, steps, env, timeout, say)
    if failed is not None:
        why.append(failed)
    rows, trained = None, None
    if failed is None:
        try:
            rows = scorer.rows(tree)
        except RetriggerError as exc:
            why.append(f"rows at {at.sha[:8]}: {exc}")
    if rows is not None and rows.hashes is not None and rows.path in steps.separate:
        trained = overlap.trained_rows(scratch.root, tree, steps.files, rows.columns)
    return Period(at, model, now, rows, tuple(why), trained)


def _train(
    scratch: Scratch,
    store: MatrixStore,
    at: PeriodAt,
    steps: Plan,
    env: Mapping[str, str],
    timeout: timedelta | None,
    say: Say,
) -> tuple[Trained | None, bool, str | None]:
    say(f"training at {at.sha[:8]}: dvc repro {' '.join(steps.targets)}")
    try:
        seconds = scratch.repro(steps.targets, env, timeout.total_seconds() if timeout else None)
    except RetriggerError as exc:
        return None, False, f"training at {at.sha[:8]} failed: {exc}"
    now = datetime.now(UTC).isoformat(timespec="seconds")
    model = Trained(steps.key, at.sha, at.data_version, seconds, now, steps.inputs)
    store.keep(model, scratch.tree, list(steps.keep))
    return model, True, None


def _cell(
    store: MatrixStore, scorer: Scorer, periods: list[Period], i: int, j: int, tree: Path
) -> Cell:
    model, rows = periods[i].model, periods[j].rows
    if model is None or rows is None:
        lost = periods[i].why if model is None else periods[j].why
        return Cell(i, j, None, False, "; ".join(lost) or "unknown")
    trained = periods[i].trained_rows
    seen = overlap.seen(rows.hashes, trained)
    if seen and trained is not None:  # checked before a score kept by an earlier run is reused
        return Cell(
            i,
            j,
            None,
            False,
            f"{seen} of {len(rows.hashes or ())} rows of {rows.path} at {periods[j].at.sha[:8]} "
            f"are rows of {', '.join(trained.paths)} the model of {periods[i].at.sha[:8]} was "
            "trained on: its score there would flatter it",
        )
    known = store.score(model.key, rows.key, scorer.metric)
    if known is not None:
        return Cell(i, j, known, True)
    try:
        value = scorer.score(store, model.key, rows, tree)
    except RetriggerError as exc:
        return Cell(i, j, None, False, str(exc))
    store.add_score(model.key, rows.key, scorer.metric, value)
    return Cell(i, j, value, False)


def _cell_json(cell: Cell, periods: Sequence[Period]) -> dict[str, object]:
    model, rows = periods[cell.i].model, periods[cell.j].rows
    return {
        "i": cell.i,
        "j": cell.j,
        "value": cell.value,
        "model": None
        if model is None
        else {"key": model.key, "commit": model.commit, "data_version": model.data_version},
        "rows": None if rows is None else {"md5": rows.key, "rows": rows.count},
        "reused": cell.reused,
        "unknown": cell.why,
    }
