"""Validation rows a model was trained on (``backtest --train``): scored on rows it saw in
training, a model looks better than it is (``M[i][i]`` above all), so such a cell is unknown,
never a number.

Checked only where the files can tell: when ``validation.data`` is a file of its own, which no
stage writes and no training stage reads. A holdout a stage writes is that stage's own split,
and a stage reading the validation file may split it itself: nothing outside the stage can
say which rows it trained on, so neither is checked. Each validation row (every column, the
target too) is looked up in each CSV or Parquet input of the training stages that has all of
those columns, its values compared as text. An input in another format or without those
columns is not compared: the check finds rows copied between tables, it proves no absence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrigger.data.odb import cache_path

TABLES = (".csv", ".parquet")


def row_hashes(frame: Any, columns: Sequence[str]) -> tuple[int, ...]:
    """One hash per row of ``frame`` over ``columns`` (in that order), its values as text."""
    import pandas as pd

    as_text = frame[list(columns)].astype(str)
    return tuple(int(h) for h in pd.util.hash_pandas_object(as_text, index=False))


@dataclass(frozen=True)
class TrainedRows:
    """The rows a model's training inputs hold, and which inputs they are from."""

    hashes: frozenset[int]
    paths: tuple[str, ...]  # the tables compared (holding every validation column)


def trained_rows(
    root: Path, tree: Path, inputs: Sequence[tuple[str, str | None]], columns: Sequence[str]
) -> TrainedRows:
    """The hashes of the rows of the training ``inputs`` (path, DVC md5, or None for a file
    git tracks, read at ``tree``) that are tables holding every one of ``columns``."""
    import pandas as pd

    found: set[int] = set()
    paths: list[str] = []
    for path, md5 in inputs:
        if Path(path).suffix.lower() not in TABLES:
            continue
        source = cache_path(root, md5) if md5 is not None else tree / path
        if not source.is_file():
            continue
        try:
            if path.lower().endswith(".csv"):
                frame = pd.read_csv(source)
            else:
                frame = pd.read_parquet(source)
        except (OSError, ValueError):
            continue  # not a table pandas reads: not compared, as the docstring says
        if all(c in frame.columns for c in columns):
            found.update(row_hashes(frame, columns))
            paths.append(path)
    return TrainedRows(frozenset(found), tuple(paths))


def seen(rows: Sequence[int] | None, trained: TrainedRows | None) -> int:
    """How many of the validation ``rows`` (hashes) the model was trained on; 0 unchecked."""
    if rows is None or trained is None:
        return 0
    return sum(1 for h in rows if h in trained.hashes)
