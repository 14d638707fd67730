"""Our footer reader agrees with pyarrow on varied Parquet files, and refuses what it is not."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retrigger.data.parquet_footer import footer_rows
from retrigger.data.rows import count_rows


def _tables() -> list[tuple[str, pa.Table, dict[str, object]]]:
    wide = pa.table({f"c{i}": list(range(50)) for i in range(40)})  # > 15 schema elements
    nested = pa.table(
        {
            "id": [1, 2, 3],
            "tags": [["a"], [], ["b", "c"]],
            "point": [{"x": 1.0, "y": True}, {"x": 2.0, "y": False}, None],
            "kv": pa.array([[("k", 1)], [], [("z", 2)]], type=pa.map_(pa.string(), pa.int64())),
        }
    )
    strings = pa.table(
        {
            "s": ["x" * (i % 300) for i in range(5000)],
            "n": [None if i % 7 else i for i in range(5000)],
        }
    )
    return [
        ("wide", wide, {}),
        ("nested", nested, {}),
        (
            "strings, small row groups, zstd",
            strings,
            {"row_group_size": 333, "compression": "zstd"},
        ),
        ("empty", pa.table({"a": pa.array([], type=pa.int32())}), {}),
        ("v1 format with statistics off", strings, {"version": "1.0", "write_statistics": False}),
    ]


@pytest.mark.parametrize(("name", "table", "options"), _tables(), ids=lambda v: str(v)[:20])
def test_agrees_with_pyarrow(
    tmp_path: Path, name: str, table: pa.Table, options: dict[str, object]
) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, **options)

    assert footer_rows(path) == pq.read_metadata(path).num_rows == table.num_rows


def test_not_parquet_raises_value_error_and_rows_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 20 + b"\x05\x00\x00\x00PAR1")

    with pytest.raises(ValueError):
        footer_rows(path)
    with pytest.raises(Exception, match="not a readable Parquet file"):
        count_rows(path, ".parquet", "x.parquet")
