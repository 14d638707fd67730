"""Row counts as a user would check them: header excluded, quoting honoured, bad files named."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.data.rows import RowCache, count_rows
from retrigger.errors import BadInput
from tests.support.dvcrepo import write_jsonl, write_parquet


def test_csv_rows_exclude_the_header_and_count_a_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n3,4")

    assert count_rows(path, ".csv", "a.csv") == 2


def test_quoted_newlines_are_one_record(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,text\n1,"two\nlines"\n2,plain\n')

    assert count_rows(path, ".csv", "a.csv") == 2


def test_tsv_and_jsonl_and_parquet(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("a\tb\n1\t2\n3\t4\n5\t6\n")
    write_jsonl(tmp_path / "c.jsonl", 7)
    write_parquet(tmp_path / "b.parquet", 12)

    assert count_rows(tmp_path / "a.tsv", ".tsv", "t") == 3
    assert count_rows(tmp_path / "c.jsonl", ".jsonl", "j") == 7
    assert count_rows(tmp_path / "b.parquet", ".parquet", "p") == 12


def test_broken_quoting_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,text\n1,"never closed\n2,x\n')

    with pytest.raises(BadInput, match=r"data/a.csv has broken CSV quoting"):
        count_rows(path, ".csv", "data/a.csv")


def test_a_csv_that_is_really_binary_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    write_parquet(path, 3)

    with pytest.raises(BadInput, match="is binary, not text"):
        count_rows(path, ".csv", "a.csv")


def test_a_damaged_parquet_footer_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "b.parquet"
    path.write_bytes(b"PAR1 not really")

    with pytest.raises(BadInput, match="not a readable Parquet file"):
        count_rows(path, ".parquet", "b.parquet")


def test_other_formats_have_no_row_count(tmp_path: Path) -> None:
    (tmp_path / "x.bin").write_bytes(b"\0\1")

    assert count_rows(tmp_path / "x.bin", ".bin", "x") is None


def test_counts_are_remembered_by_md5(tmp_path: Path) -> None:
    (tmp_path / ".dvc").mkdir()
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n2\n")
    cache = RowCache(tmp_path)
    assert cache.rows(path, "abc", ".csv", "a") == 2
    cache.save()
    path.write_text("a\n1\n")  # same md5 key, different content: the remembered count wins

    assert RowCache(tmp_path).rows(path, "abc", ".csv", "a") == 2
