"""Row counts of tabular files: CSV/TSV, Parquet (footer metadata only), JSON Lines, JSON arrays
and XML record files, each optionally compressed with gzip, bz2 or zstd.

A count is a fact about content, so it is remembered by md5 in ``.dvc/tmp`` (which DVC keeps
out of git): a hook that meets the same version again counts nothing.

CSV and TSV: the first line is a header unless one of its fields is a number (example-get-started
writes its prepared TSVs without one). TSV has no quoting: a line is a record, as pandas reads it
with ``quoting=QUOTE_NONE``. Blank lines are not records.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

from retrigger.data.formats import (
    Format,
    Unreadable,
    decompression_error,
    first_line,
    format_of,
    open_binary,
)

_CHUNK = 1 << 20
_BLANK = re.compile(rb"\n(?=\r?\n)")  # a newline that ends an empty line
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def count_rows(path: Path, name: str, label: str) -> int | None:
    """Data rows in ``path`` read as the format of ``name`` (a file name or a suffix such as
    ".csv"); None when no reader understands that format. Raises ``Unreadable``."""
    fmt = format_of(name)
    if fmt.kind == "parquet":
        return _parquet_rows(path, label)
    if not fmt.known:
        return None
    try:
        return _text_rows(lambda: open_binary(path, fmt), fmt, label)
    except Unreadable:
        raise
    except Exception as exc:
        if decompression_error(exc):
            raise Unreadable(
                f"{label}: the {fmt.compression} stream is damaged "
                f"({first_line(exc)}); re-create the file"
            ) from None
        raise


Opener = Callable[[], IO[bytes]]


def _text_rows(opener: Opener, fmt: Format, label: str) -> int:
    from retrigger.data import records

    kind = fmt.kind
    if kind == "json":  # one array of records, or JSON Lines under a .json name
        with opener() as probe:
            kind = "json" if records.starts_with_array(probe) else "jsonl"
    with opener() as handle:
        if kind == "xml":
            return records.xml_count(handle, label)
        if kind == "json":
            return sum(1 for _ in records.json_values(handle, label))
        if kind == "jsonl":
            return _jsonl_rows(handle, label)
        return _delimited_rows(handle, opener, "\t" if kind == "tsv" else ",", label)


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
        raise Unreadable(
            f"{label} is not a readable Parquet file ({first_line(exc)}); "
            "re-create it and `dvc add` it again"
        ) from None


def has_header(line: bytes, delimiter: str) -> bool:
    """A first line is a header unless one of its fields is a number."""
    text = line.decode("utf-8", errors="replace").rstrip("\r\n")
    fields = (
        next(csv.reader([text], delimiter=delimiter), [])
        if delimiter == ","
        else text.split(delimiter)
    )
    return not any(_NUMBER.match(field) for field in fields)


def _delimited_rows(handle: IO[bytes], opener: Opener, delimiter: str, label: str) -> int:
    records, has_quote, first = _scan(handle, label)
    header = 1 if first is not None and has_header(first, delimiter) else 0
    if delimiter == "\t" or not has_quote:
        return max(records - header, 0)
    # Quoted fields may hold newlines: count records with the csv parser, strictly.
    csv.field_size_limit(sys.maxsize)
    records = 0
    with io.TextIOWrapper(opener(), encoding="utf-8", errors="replace", newline="") as text:
        try:
            for row in csv.reader(text, delimiter=delimiter, strict=True):
                records += 1 if row else 0
        except csv.Error as exc:
            raise Unreadable(
                f"{label} has broken CSV quoting near record {records + 1} "
                f"({exc}); fix the file and `dvc add` it again"
            ) from None
    return max(records - header, 0)


def _jsonl_rows(handle: IO[bytes], label: str) -> int:
    count = 0
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        if count == 0:  # one parse proves the format; the rest are only counted
            try:
                json.loads(line)
            except ValueError:
                raise Unreadable(
                    f"{label} line {number} is not JSON; JSON Lines files hold "
                    "one JSON value per line"
                ) from None
        count += 1
    return count


def _scan(handle: IO[bytes], label: str) -> tuple[int, bool, bytes | None]:
    """Non-blank lines, whether any ``"`` occurs, and the first non-blank line."""
    newlines, blanks, has_quote, first, previous = 0, 0, False, None, b"\n"
    tail, opening = b"", True
    while chunk := handle.read(_CHUNK):
        if opening and b"\0" in chunk[:8192]:
            raise Unreadable(
                f"{label} is binary, not text; track it under a name with its "
                "real extension (.parquet, ...)"
            )
        opening = False
        if first is None:
            head = (tail + chunk).lstrip(b"\r\n")
            cut = head.find(b"\n")
            first, tail = (head[:cut], b"") if cut >= 0 else (None, head)
        newlines += chunk.count(b"\n")
        joined = previous + chunk  # an empty line may straddle two chunks
        blanks += len(_BLANK.findall(joined))
        has_quote = has_quote or b'"' in chunk
        previous = chunk[-1:]
    if first is None and tail.strip():
        first = tail
    ends_open = previous not in (b"\n", b"")
    # ``previous`` starts as a newline: a file that opens with blank lines counts them too.
    return newlines - blanks + (1 if ends_open else 0), has_quote, first


class RowCache:
    """md5 + format → rows, kept in ``.dvc/tmp/retrigger-rows-v2.json`` (v2: TSV lines are
    records and a numeric first line is data, so counts kept by v1 are not reused)."""

    def __init__(self, root: Path) -> None:
        self.file = root / ".dvc" / "tmp" / "retrigger-rows-v2.json"
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

    def rows(self, obj: Path, md5: str, name: str, label: str) -> int | None:
        """Rows of ``obj`` read as the format of ``name``; None for an unknown format."""
        fmt = format_of(name)
        if not fmt.known:
            return None
        key = f"{md5}{fmt.name}"
        known = self._load()
        if key not in known:
            counted = count_rows(obj, fmt.name, label)
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
