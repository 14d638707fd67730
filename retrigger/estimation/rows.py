"""The estimation's two inputs: the labelled reference and the unlabelled new rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrigger.data.odb import file_md5
from retrigger.errors import BadInput

SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True)
class Rows:
    key: str  # the config key that named the file, for messages
    path: str
    md5: str  # DVC's content id of the file, so the reading names the version it used
    frame: Any  # a pandas DataFrame


def read(root: Path, path: str, key: str) -> Rows:
    """The rows of ``path`` (CSV or Parquet, relative to ``root``); BadInput when absent,
    unreadable or empty."""
    import pandas as pd

    where = root / path
    if not where.is_file():
        raise BadInput(f"{key} {path} does not exist; write it (or `dvc pull` it) or fix {key}")
    if where.suffix.lower() not in SUFFIXES:
        raise BadInput(f"{key} {path} is not a .csv or .parquet file; point {key} at one")
    try:
        csv = where.suffix.lower() == ".csv"
        frame = pd.read_csv(where) if csv else pd.read_parquet(where)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise BadInput(f"{key} {path} cannot be read ({str(exc)[:120]}); fix the file") from None
    if frame.empty:
        raise BadInput(f"{key} {path} has no rows")
    return Rows(key, path, file_md5(where), frame)


def split_labels(rows: Rows, target: str) -> tuple[Any, Any]:
    """Features and labels of the reference; BadInput without the label column."""
    if target not in rows.frame.columns:
        names = ", ".join(map(str, list(rows.frame.columns)[:12]))
        raise BadInput(
            f"{rows.key} {rows.path} has no column {target!r} (columns: {names}); "
            "fix estimation.target"
        )
    return rows.frame.drop(columns=[target]), rows.frame[target]
