"""Tables read one column at a time: Parquet, CSV, JSON Lines, or a directory of them.

Parquet is read column by column straight from the file. CSV and JSON Lines have no columnar
layout, so they are streamed once, block by block, into a temporary Parquet file and then read
the same way: memory stays at one column (plus one block), whatever the number of rows.
"""

from __future__ import annotations

import re
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from retrigger.errors import BadInput

if TYPE_CHECKING:
    from types import TracebackType

PARQUET = (".parquet", ".pq")
CSV = (".csv",)
JSONL = (".jsonl", ".ndjson", ".json")
KNOWN = PARQUET + CSV + JSONL
BLOCK_BYTES = 64 << 20  # text files are parsed this much at a time


class Table:
    """A table of one or more files with the same columns; use it as a context manager.

    ``sources`` pairs each local file with its format suffix, since files in the DVC cache are
    named by their md5 and have no extension; ``label`` names the table in messages.
    """

    def __init__(self, sources: list[tuple[Path, str]], label: str) -> None:
        self.path = label
        self._stack = ExitStack()
        self._tmp: Path | None = None
        try:
            self.files = [self._as_parquet(f, suffix) for f, suffix in sources]
            self.schema = self._schema()
        except BaseException:
            self.close()
            raise
        # One handle per file: its footer is parsed once, not once per column.
        self._handles = [pq.ParquetFile(f, read_dictionary=_string_columns(f)) for f in self.files]
        self.num_rows = sum(h.metadata.num_rows for h in self._handles)

    def _schema(self) -> pa.Schema:
        try:
            schema = pa.unify_schemas(
                [pq.read_schema(f) for f in self.files], promote_options="permissive"
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise BadInput(f"{self.path}: files disagree on a column's type ({exc}); "
                           "make each column hold one type") from None
        for field in schema:
            # Text files only give binary columns for bytes that are not UTF-8.
            if self._tmp is not None and pa.types.is_binary(field.type):
                raise BadInput(f"{self.path}: column {field.name!r} is not UTF-8 text; "
                               "re-save the file as UTF-8")
        return schema

    @property
    def names(self) -> list[str]:
        return list(self.schema.names)

    def dtype(self, name: str) -> pa.DataType:
        return self.schema.field(name).type

    def column(self, name: str) -> pa.ChunkedArray:
        """All rows of one column, in file order; nulls where a file lacks the column."""
        dtype = self.dtype(name)
        if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
            # Strings are read as Parquet stores them, dictionary-encoded: 4x faster than
            # decoding them, and the categories come for free (columns.category_counts).
            dtype = pa.dictionary(pa.int32(), dtype)
        chunks: list[pa.Array] = []
        for handle in self._handles:
            if name not in handle.schema_arrow.names:
                chunks.append(pa.nulls(handle.metadata.num_rows, dtype))
                continue
            part = handle.read(columns=[name], use_pandas_metadata=False).column(0)
            chunks.extend(part.cast(dtype).chunks if part.type != dtype else part.chunks)
        return pa.chunked_array(chunks, type=dtype)

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _as_parquet(self, file: Path, suffix: str) -> Path:
        if suffix in PARQUET:
            return file
        if self._tmp is None:
            self._tmp = Path(self._stack.enter_context(tempfile.TemporaryDirectory("-drift")))
        target = self._tmp / f"{len(list(self._tmp.iterdir()))}.parquet"
        try:
            _stream_to_parquet(file, suffix, target)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise BadInput(f"{file}: {_explain(exc)}") from None
        return target


def open_table(path: Path) -> Table:
    """Open a data file or directory, or say in one line why it cannot be used."""
    if not path.exists():
        raise BadInput(f"{path} does not exist; give a CSV, Parquet or JSON Lines file or folder")
    if path.is_file() and path.suffix.lower() not in KNOWN:
        raise BadInput(f"{path}: unknown extension {path.suffix!r}; use one of {', '.join(KNOWN)}")
    return Table([(f, f.suffix.lower()) for f in _data_files(path)], str(path))


def _string_columns(file: Path) -> list[str]:
    return [f.name for f in pq.read_schema(file)
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]


def _data_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(
        p for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() in KNOWN
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise BadInput(f"{path} holds no CSV, Parquet or JSON Lines file")
    return files


def _stream_to_parquet(source: Path, suffix: str, target: Path) -> None:
    """Copy a CSV or JSON Lines file into Parquet one block at a time."""
    if suffix in CSV:
        _stream_csv(source, target)
        return
    reader = pajson.open_json(source, read_options=pajson.ReadOptions(block_size=BLOCK_BYTES))
    _copy(reader, target)


# Arrow infers CSV types from the first block; pandas (and so Evidently) from the whole file.
# When a later block does not fit, the column is widened as pandas would read it and the file
# read again: integers become floats, an all-empty start becomes floats, then text. Anything
# else (numbers, then words) is a column that mixes types.
_WIDER: dict[str, list[pa.DataType]] = {
    "int64": [pa.float64()],
    "null": [pa.float64(), pa.string()],
}
_CONVERSION = re.compile(r"In CSV column #(\d+): .*CSV conversion error")


def _stream_csv(source: Path, target: Path) -> None:
    read = pacsv.ReadOptions(block_size=BLOCK_BYTES)
    inferred = pacsv.open_csv(source, read_options=read).schema
    chosen: dict[str, pa.DataType] = {}
    while True:
        options = pacsv.ConvertOptions(column_types=chosen)
        try:
            _copy(pacsv.open_csv(source, read_options=read, convert_options=options), target)
            return
        except pa.ArrowInvalid as exc:
            match = _CONVERSION.search(str(exc))
            if match is None:
                raise
            field = inferred.field(int(match.group(1)))
            ladder = _WIDER.get(str(field.type), [])
            tried = ladder.index(chosen[field.name]) + 1 if field.name in chosen else 0
            if tried >= len(ladder):
                raise
            chosen[field.name] = ladder[tried]


def _copy(reader: pa.RecordBatchReader, target: Path) -> None:
    with pq.ParquetWriter(target, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)


def _explain(exc: Exception) -> str:
    text = str(exc).splitlines()[0]
    if "UTF8" in text or "utf8" in text or "UTF-8" in text:
        return "is not UTF-8 text; re-save it as UTF-8"
    if "changed from" in text or "conversion error" in text.lower():
        return f"a column mixes types ({text}); make each column hold one type"
    if "Empty CSV" in text or "empty" in text.lower():
        return "is empty; give a file with a header and at least one row"
    return f"cannot be read ({text})"
