"""Tables read one column at a time: Parquet, CSV, TSV, JSON Lines, JSON arrays, XML record files
(text formats optionally gzip/bz2/zstd-compressed), or a directory mixing them.

Parquet is read column by column straight from the file. Text formats have no columnar layout,
so they are streamed once, block by block, into a temporary Parquet file and then read the same
way: memory stays at one column (plus one block), whatever the number of rows. CSV and TSV follow
the row counter (``data.rows``): no header when the first line holds a number (columns are then
``f0``, ``f1``...), and TSV has no quoting.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from retrigger.data.formats import KNOWN_NAMES, Format, Unreadable, format_of
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from types import TracebackType

BLOCK_BYTES = 64 << 20  # text files are parsed this much at a time


class Table:
    """A table of one or more files with the same columns; use it as a context manager.

    ``sources`` pairs each local file with the name whose format it has (a file name or a
    suffix), since files in the DVC cache are named by their md5; ``label`` names the table in
    messages.
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
            raise Unreadable(
                f"{self.path}: files disagree on a column's type ({exc}); "
                "make each column hold one type"
            ) from None
        for field in schema:
            # Text files only give binary columns for bytes that are not UTF-8.
            if self._tmp is not None and pa.types.is_binary(field.type):
                raise Unreadable(
                    f"{self.path}: column {field.name!r} is not UTF-8 text; "
                    "re-save the file as UTF-8"
                )
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

    def _as_parquet(self, file: Path, name: str) -> Path:
        fmt = format_of(name)
        if fmt.kind == "parquet":
            return file
        if not fmt.known:
            raise Unreadable(f"{self.path}: {fmt.refusal()}; use {KNOWN_NAMES}")
        if self._tmp is None:
            self._tmp = Path(self._stack.enter_context(tempfile.TemporaryDirectory("-drift")))
        target = self._tmp / f"{len(list(self._tmp.iterdir()))}.parquet"
        try:
            _stream_to_parquet(file, fmt, target)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, EOFError) as exc:
            raise Unreadable(f"{self.path}: {_explain(exc)}") from None
        return target


def open_table(path: Path) -> Table:
    """Open a data file or directory, or say in one line why it cannot be used."""
    if not path.exists():
        raise BadInput(f"{path} does not exist; give a data file ({KNOWN_NAMES}) or a folder")
    if path.is_file() and not format_of(path.name).known:
        raise Unreadable(f"{path}: {format_of(path.name).refusal()}; use {KNOWN_NAMES}")
    return Table([(f, f.name) for f in _data_files(path)], str(path))


def _string_columns(file: Path) -> list[str]:
    return [
        f.name
        for f in pq.read_schema(file)
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]


def _data_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and format_of(p.name).known
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise Unreadable(f"{path} holds no data file a drift test can read ({KNOWN_NAMES})")
    return files


def _stream_to_parquet(source: Path, fmt: Format, target: Path) -> None:
    """Copy a text data file into Parquet one block at a time."""
    from retrigger.data.formats import open_binary
    from retrigger.data.records import starts_with_array
    from retrigger.drift import records_table

    def opener() -> pa.NativeFile:
        return pa.input_stream(str(source), compression=fmt.compression)

    def handle() -> IO[bytes]:
        return open_binary(source, fmt)

    label = str(source)
    if fmt.kind == "xml":
        records_table.xml_to_parquet(handle, label, target)
    elif fmt.kind in ("csv", "tsv"):
        _stream_csv(opener, "\t" if fmt.kind == "tsv" else ",", target)
    elif fmt.kind == "json" and _first_is_array(handle, starts_with_array):
        lines = target.with_suffix(".jsonl")
        records_table.json_array_to_lines(handle, label, lines)
        _copy(pajson.open_json(lines, read_options=_JSON_READ), target)
        lines.unlink()
    else:
        _copy(pajson.open_json(opener(), read_options=_JSON_READ), target)


def _first_is_array(
    handle: Callable[[], IO[bytes]], starts_with_array: Callable[[IO[bytes]], bool]
) -> bool:
    with handle() as probe:
        return starts_with_array(probe)


_JSON_READ = pajson.ReadOptions(block_size=BLOCK_BYTES)


# Arrow infers CSV types from the first block; pandas (and so Evidently) from the whole file.
# When a later block does not fit, the column is widened as pandas would read it and the file
# read again: integers become floats, an all-empty start becomes floats, then text. Anything
# else (numbers, then words) is a column that mixes types.
_WIDER: dict[str, list[pa.DataType]] = {
    "int64": [pa.float64()],
    "null": [pa.float64(), pa.string()],
}
_CONVERSION = re.compile(r"In CSV column #(\d+): .*CSV conversion error")


def _stream_csv(opener: Callable[[], pa.NativeFile], delimiter: str, target: Path) -> None:
    from retrigger.data.rows import has_header

    with opener() as probe:
        first = probe.read(1 << 16).lstrip(b"\r\n").split(b"\n", 1)[0]
    read = pacsv.ReadOptions(
        block_size=BLOCK_BYTES, autogenerate_column_names=not has_header(first, delimiter)
    )
    # TSV has no quoting: a quote is text (example-get-started's posts are full of them).
    parse = pacsv.ParseOptions(delimiter=delimiter, quote_char=False if delimiter == "\t" else '"')
    inferred = pacsv.open_csv(opener(), read_options=read, parse_options=parse).schema
    chosen: dict[str, pa.DataType] = {}
    while True:
        options = pacsv.ConvertOptions(column_types=chosen)
        try:
            _copy(
                pacsv.open_csv(
                    opener(), read_options=read, parse_options=parse, convert_options=options
                ),
                target,
            )
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
