"""XML record files and JSON arrays into Parquet, streamed, so the drift tests read them like any
other table.

XML values are text: each column takes the narrowest type that holds every value of the whole
file (integer, then float, then text), as pandas infers it. Records are gathered in blocks of
``BLOCK_RECORDS``; each block is kept as a text Parquet file until the whole file's types are
known, then rewritten once with them. Memory holds one block. An empty value is missing.
JSON arrays are rewritten as JSON Lines, which pyarrow reads with its own type inference.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from retrigger.data.formats import Unreadable
from retrigger.data.records import Record, json_values, xml_records

BLOCK_RECORDS = 1 << 16
_LADDER = (pa.int64(), pa.float64(), pa.string())
Opener = Callable[[], IO[bytes]]


def xml_to_parquet(opener: Opener, label: str, target: Path) -> None:
    """Write the records of an XML file to ``target`` (one Parquet file)."""
    parts: list[Path] = []
    widest: dict[str, int] = {}  # column → index into _LADDER, first-seen order
    try:
        with opener() as handle:
            for block in _blocks(xml_records(handle, label)):
                part = target.with_name(f"{target.stem}-part{len(parts)}.parquet")
                pq.write_table(_text_block(block, widest), part)
                parts.append(part)
        if not parts:
            raise Unreadable(f"{label} holds no records (the root element has no children)")
        schema = pa.schema([(name, _LADDER[rung]) for name, rung in widest.items()])
        with pq.ParquetWriter(target, schema) as writer:
            for part in parts:
                writer.write_table(_typed(pq.read_table(part), schema))
                part.unlink()
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


def _blocks(records: Iterable[Record]) -> Iterable[list[Record]]:
    block: list[Record] = []
    for record in records:
        block.append(record)
        if len(block) >= BLOCK_RECORDS:
            yield block
            block = []
    if block:
        yield block


def _text_block(block: list[Record], widest: dict[str, int]) -> pa.Table:
    """One block as text columns; widens ``widest`` to what this block's values need."""
    names: dict[str, None] = {}
    for record in block:
        names.update(dict.fromkeys(record))
    columns = {}
    for name in names:
        values = pa.array([record.get(name) or None for record in block], pa.string())
        widest[name] = max(widest.get(name, 0), _rung(values, widest.get(name, 0)))
        columns[name] = values
    return pa.table(columns)


def _rung(values: pa.Array, start: int) -> int:
    """The first type on the ladder, from ``start``, that every value casts to."""
    for rung in range(start, len(_LADDER) - 1):
        try:
            values.cast(_LADDER[rung])
            return rung
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return len(_LADDER) - 1


def _typed(block: pa.Table, schema: pa.Schema) -> pa.Table:
    arrays = []
    for field in schema:
        if field.name in block.column_names:
            arrays.append(block.column(field.name).cast(field.type))
        else:
            arrays.append(pa.nulls(block.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def json_array_to_lines(opener: Opener, label: str, target: Path) -> None:
    """Rewrite a JSON array of objects as JSON Lines (``target``), one record at a time."""
    count = 0
    with opener() as handle, target.open("w", encoding="utf-8") as out:
        for value in json_values(handle, label):
            if not isinstance(value, dict):
                raise Unreadable(
                    f"{label}: item {count + 1} of the JSON array is not an "
                    'object; give an array of records ({"column": value})'
                )
            out.write(json.dumps(value, ensure_ascii=False))
            out.write("\n")
            count += 1
    if count == 0:
        raise Unreadable(f"{label} is an empty JSON array; give at least one record")
