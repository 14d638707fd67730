"""Row counts of tabular files: CSV/TSV, Parquet (footer metadata only) and JSON Lines.

A count is a fact about content, so it is remembered by md5 in ``.dvc/tmp`` (which DVC keeps
out of git): a hook that meets the same version again counts nothing.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

from retrigger.errors import BadInput

COUNTED = (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson")
_CHUNK = 1 << 20


def count_rows(path: Path, suffix: str, label: str) -> int | None:
    """Data rows in ``path`` read as ``suffix`` (header excluded); None for other formats."""
    suffix = suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _parquet_rows(path, label)
    if suffix in (".csv", ".tsv"):
        return _delimited_rows(path, "\t" if suffix == ".tsv" else ",", label)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_rows(path, label)
    return None


def _parquet_rows(path: Path, label: str) -> int:
    from retrigger.data.parquet_footer import footer_rows

    try:
        return footer_rows(path)
    except (ValueError, OSError):
        pass  # an encrypted footer, or one our small reader does not know: ask pyarrow
    import pyarrow.parquet as pq

    try:
        return int(pq.read_metadata(path).num_rows)  # the footer, never the column data
    except Exception as exc:  # pyarrow raises several types for a damaged footer
        raise BadInput(f"{label} is not a readable Parquet file ({_first_line(exc)}); "
                       "re-create it and `dvc add` it again") from None


def _delimited_rows(path: Path, delimiter: str, label: str) -> int:
    lines, has_quote, ends_open = _scan(path, label)
    if not has_quote:
        records = lines + (1 if ends_open else 0)
        return max(records - 1, 0)
    # Quoted fields may hold newlines: count records with the csv parser, strictly.
    csv.field_size_limit(sys.maxsize)
    records = 0
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.reader(handle, delimiter=delimiter, strict=True):
                records += 1 if row else 0
    except csv.Error as exc:
        raise BadInput(f"{label} has broken CSV quoting near record {records + 1} ({exc}); "
                       "fix the file and `dvc add` it again") from None
    return max(records - 1, 0)


def _jsonl_rows(path: Path, label: str) -> int:
    _scan(path, label)
    count = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if count == 0:  # one parse proves the format; the rest are only counted
                try:
                    json.loads(line)
                except ValueError:
                    raise BadInput(f"{label} line {number} is not JSON; JSON Lines files hold "
                                   "one JSON value per line") from None
            count += 1
    return count


def _scan(path: Path, label: str) -> tuple[int, bool, bool]:
    """Newlines, whether any ``"`` occurs, whether the last line lacks its newline."""
    lines, has_quote, last = 0, False, b"\n"
    with path.open("rb") as handle:
        first = True
        while chunk := handle.read(_CHUNK):
            if first and b"\0" in chunk[:8192]:
                raise BadInput(f"{label} is binary, not text; track it under a name with its "
                               "real extension (.parquet, ...)")
            first = False
            lines += chunk.count(b"\n")
            has_quote = has_quote or b'"' in chunk
            last = chunk[-1:]
    return lines, has_quote, last != b"\n"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class RowCache:
    """md5 + format → rows, kept in ``.dvc/tmp/retrigger-rows.json``."""

    def __init__(self, root: Path) -> None:
        self.file = root / ".dvc" / "tmp" / "retrigger-rows.json"
        self._known: dict[str, int] | None = None
        self._dirty = False

    def _load(self) -> dict[str, int]:
        if self._known is None:
            try:
                data = json.loads(self.file.read_text(encoding="utf-8"))
                self._known = {str(k): int(v) for k, v in data.items()}
            except (OSError, ValueError, AttributeError, TypeError):
                self._known = {}
        return self._known

    def rows(self, obj: Path, md5: str, suffix: str, label: str) -> int | None:
        if suffix.lower() not in COUNTED:
            return None
        key = f"{md5}{suffix.lower()}"
        known = self._load()
        if key not in known:
            counted = count_rows(obj, suffix, label)
            if counted is None:
                return None
            known[key], self._dirty = counted, True
        return known[key]

    def save(self) -> None:
        if not self._dirty or not self.file.parent.parent.is_dir():
            return
        try:
            self.file.parent.mkdir(exist_ok=True)
            tmp = self.file.with_suffix(f".{os.getpid()}.tmp")  # concurrent hooks
            tmp.write_text(json.dumps(self._load()), encoding="utf-8")
            tmp.replace(self.file)
        except OSError:
            pass  # a cache that cannot be written only costs a recount next time
        self._dirty = False
