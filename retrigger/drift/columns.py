"""What kind of data a column holds, decided the way Evidently 0.7 decides it.

Evidently's ``Report.run`` builds its data definition from the *current* table after pandas has
loaded it (``evidently.core.datasets.infer_column_type``), so we reproduce what that sees:

- floats are numerical;
- integers are categorical when the current side has at most 10 distinct values, numerical
  otherwise; an integer column with a missing value is numerical, because pandas turns it into
  floats when it reads the file;
- strings are text when more than half of the non-missing values are distinct, categorical
  otherwise; dictionary-encoded columns (pandas ``category``) and booleans are categorical;
- dates and timestamps are datetime, which Evidently's drift preset does not test;
- everything else (lists, structs, binary) is unknown and not tested.

Deliberate difference: a boolean column with missing values becomes an ``object`` column in
pandas, which Evidently leaves untested; we test it as categorical.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Kind = Literal["num", "cat", "text", "datetime", "unknown"]
Family = Literal["int", "float", "bool", "string", "dict", "datetime", "null", "other"]

# Evidently's INTEGER_CARDINALITY_LIMIT: integer columns with at most this many values are cat.
INT_CARDINALITY_LIMIT = 10


def family(dtype: pa.DataType) -> Family:
    """The broad family of an Arrow type: what pandas would turn it into."""
    if pa.types.is_integer(dtype):
        return "int"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "float"
    if pa.types.is_boolean(dtype):
        return "bool"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "string"
    if pa.types.is_dictionary(dtype):
        return "dict"
    if pa.types.is_temporal(dtype):
        return "datetime"
    if pa.types.is_null(dtype):
        return "null"
    return "other"


def compatible(ref: pa.DataType, cur: pa.DataType) -> bool:
    """Whether both sides hold the same sort of values (int and float are both numbers)."""
    fams = {family(ref), family(cur)} - {"null"}
    if len(fams) <= 1:
        return True
    return fams in ({"int", "float"}, {"string", "dict"})


def infer_kind(
    cur: pa.ChunkedArray, ref: pa.ChunkedArray, cur_type: pa.DataType, ref_type: pa.DataType
) -> Kind:
    """The kind Evidently would infer, from the current side (the reference if current is null).

    ``*_type`` are the declared types: strings arrive dictionary-encoded (``io.Table.column``)
    but are still strings to pandas, unlike a declared dictionary (a pandas ``category``).
    """
    column, dtype = (ref, ref_type) if family(cur_type) == "null" else (cur, cur_type)
    fam = family(dtype)
    if fam == "float":
        return "num"
    if fam == "int":
        if column.null_count > 0:
            return "num"
        few = distinct_count(column, INT_CARDINALITY_LIMIT) <= INT_CARDINALITY_LIMIT
        return "cat" if few else "num"
    if fam == "string":
        present = len(column) - column.null_count
        return "text" if distinct_count(column, present // 2) > present * 0.5 else "cat"
    if fam in ("dict", "bool"):
        return "cat"
    if fam == "datetime":
        return "datetime"
    return "unknown"


def distinct_count(column: pa.ChunkedArray, limit: int) -> int:
    """Distinct non-missing values, exact up to ``limit``; any answer above ``limit`` means more.

    A prefix is tried first because high-cardinality columns show it within a few thousand rows,
    which spares hashing millions of values just to learn "more than 10".
    """
    head = column.slice(0, 4096)
    seen = _distinct(head)
    if seen > limit or len(head) == len(column):
        return seen
    return _distinct(column)


def _distinct(column: pa.ChunkedArray) -> int:
    if pa.types.is_dictionary(column.type):
        _keys, counts = _dictionary_counts(column)
        return int(np.count_nonzero(counts))
    return len(pc.unique(column).drop_null())


def _dictionary_counts(column: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """The shared dictionary of a dictionary column and how often each entry is used."""
    unified = column.unify_dictionaries()
    if unified.num_chunks == 0:
        return pa.array([], type=column.type.value_type), np.zeros(0, dtype=np.int64)
    keys = unified.chunk(0).dictionary
    counts = np.zeros(len(keys), dtype=np.int64)
    for chunk in unified.chunks:
        codes = plain_numpy([chunk.indices.drop_null()])
        counts += np.bincount(codes, minlength=len(keys))
    return keys, counts


def plain_numpy(chunks: list[pa.Array]) -> np.ndarray:
    """The values of null-free integer or float64 arrays, read from their data buffers.

    Not ``to_numpy``: pyarrow's conversion imports pandas (0.3-1 s) to set up its static data,
    which is more than the rest of a 300k-row comparison.
    """
    parts = []
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        if chunk.null_count:
            raise ValueError("plain_numpy needs arrays without nulls")
        kind = (
            "f"
            if pa.types.is_floating(chunk.type)
            else ("i" if pa.types.is_signed_integer(chunk.type) else "u")
        )
        dtype = np.dtype(f"{kind}{chunk.type.bit_width // 8}")
        data = chunk.buffers()[1]
        parts.append(np.frombuffer(data, dtype, len(chunk), chunk.offset * dtype.itemsize))
    return np.concatenate(parts) if parts else np.empty(0)


def numeric_values(column: pa.ChunkedArray) -> np.ndarray:
    """Float64 values with missing values and ±inf set aside (Evidently drops both), sorted.

    Sorted once here because every numerical statistic we run starts by sorting.
    """
    if family(column.type) == "datetime":
        # Datetimes are compared as epoch nanoseconds when a user asks for a numerical test.
        column = pc.cast(pc.cast(column, pa.timestamp("ns")), pa.int64())
    if family(column.type) == "bool":
        column = pc.cast(column, pa.int8())
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, column.type.value_type)
    if family(column.type) == "string":
        column = pc.cast(column, pa.float64())  # raises ArrowInvalid for text: engine says so
    if column.type != pa.float64():
        # Integers past 2**53 (epoch nanoseconds) round to the nearest float, as in pandas.
        column = pc.cast(column, pa.float64(), safe=False)
    if column.null_count:
        column = pc.fill_null(column, np.nan)
    values = plain_numpy(column.chunks)
    values = np.asarray(values[np.isfinite(values)], dtype=np.float64)
    values.sort()
    return values


def category_counts(
    ref: pa.ChunkedArray, cur: pa.ChunkedArray
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Distinct non-missing values of both sides, with each side's count of every value.

    One dictionary encoding over both sides gives aligned codes, so a category that appears on
    one side only simply counts zero on the other.
    """
    if pa.types.is_dictionary(ref.type) and ref.type == cur.type:
        # Both sides dictionary-encoded: unify the dictionaries and count codes, no hashing.
        both = pa.chunked_array(ref.chunks + cur.chunks, type=ref.type).unify_dictionaries()
        keys, ref_counts = _dictionary_counts(both[: len(ref)])
        _, cur_counts = _dictionary_counts(both[len(ref) :])
        return _used(keys, ref_counts, cur_counts)
    ref, cur = _clean(ref), _clean(cur)
    if ref.type != cur.type:
        ref, cur = pc.cast(ref, pa.string()), pc.cast(cur, pa.string())
    encoded = pc.dictionary_encode(pa.chunked_array(ref.chunks + cur.chunks, type=ref.type))
    keys, ref_counts = _dictionary_counts(encoded[: len(ref)])
    _, cur_counts = _dictionary_counts(encoded[len(ref) :])
    return _used(keys, ref_counts, cur_counts)


def _used(
    keys: pa.Array, ref_counts: np.ndarray, cur_counts: np.ndarray
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Drop dictionary entries no row uses (a file's dictionary may list more than its rows)."""
    used = (ref_counts + cur_counts) > 0
    if used.all():
        return keys, ref_counts, cur_counts
    return keys.filter(pa.array(used)), ref_counts[used], cur_counts[used]


def _clean(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Plain values with every missing value as null, ready to be encoded together."""
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, column.type.value_type)
    if family(column.type) == "float":
        # NaN is a missing value for Evidently, not the category "nan".
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
    return column
