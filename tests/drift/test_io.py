"""Reading text files block by block: types are decided over the whole file, as pandas does."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pytest

from retrigger.drift import io
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(io, "BLOCK_BYTES", 1024)  # many blocks from a small file


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_integers_that_turn_to_floats_later_are_floats(tmp_path: Path) -> None:
    path = _csv(tmp_path, [f"{i},x" for i in range(2000)] + ["2.5,y"])

    with io.open_table(path) as table:
        assert table.dtype("a") == pa.float64()
        assert table.column("a").to_pylist()[-1] == 2.5
        assert table.num_rows == 2001


def test_empty_start_then_numbers_then_words_becomes_text(tmp_path: Path) -> None:
    path = _csv(tmp_path, [f"{i}," for i in range(1000)] + ["1,1.5"] * 300 + ["2,word"])

    with io.open_table(path) as table:
        assert table.dtype("b") == pa.string()


def test_numbers_then_words_is_a_column_that_mixes_types(tmp_path: Path) -> None:
    path = _csv(tmp_path, [f"{i},x" for i in range(2000)] + ["high,y"])

    with pytest.raises(BadInput, match="mixes types"):
        io.open_table(path)


def test_empty_file_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")

    with pytest.raises(BadInput, match="is empty"):
        io.open_table(path)


def test_folder_ignores_hidden_files_and_unions_columns(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "parts"
    (folder / ".cache").mkdir(parents=True)
    pq.write_table(pa.table({"a": [1.0, 2.0]}), folder / "one.parquet")
    pq.write_table(pa.table({"a": [3.0], "b": ["x"]}), folder / "two.parquet")
    pq.write_table(pa.table({"zzz": [0]}), folder / ".cache" / "hidden.parquet")

    with io.open_table(folder) as table:
        assert table.names == ["a", "b"]
        assert table.column("b").to_pylist() == [None, None, "x"]
