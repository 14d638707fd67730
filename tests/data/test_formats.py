"""Row counts per format, exact against pandas' and lxml's own readers, on files shaped like
example-get-started's data (StackOverflow posts XML, header-less prepared TSV)."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from lxml import etree  # type: ignore[import-untyped]

from retrigger.data.delta import compute_delta
from retrigger.data.formats import Unreadable, format_of
from retrigger.data.rows import count_rows
from retrigger.data.versions import out_version
from tests.support import formats
from tests.support.dvcrepo import sh


def _zstd_lines(path: Path) -> int:
    data = pa.input_stream(str(path), compression="zstd").read()
    return len(pd.read_json(io.BytesIO(data), lines=True))


def _gzip_xml(path: Path) -> int:
    with gzip.open(path) as handle:
        return len(etree.parse(handle).getroot())


THEIRS: dict[str, Callable[[Path], int]] = {
    "posts.xml": lambda p: len(etree.parse(str(p)).getroot()),
    "export.xml": lambda p: len(pd.read_xml(p)),
    "train.tsv": lambda p: len(pd.read_csv(p, sep="\t", header=None, quoting=csv.QUOTE_NONE)),
    "table.tsv": lambda p: len(pd.read_csv(p, sep="\t", quoting=csv.QUOTE_NONE)),
    "table.csv": lambda p: len(pd.read_csv(p)),
    "rows.jsonl": lambda p: len(pd.read_json(p, lines=True)),
    "array.json": lambda p: len(pd.read_json(p)),
    "table.csv.gz": lambda p: len(pd.read_csv(p)),
    "train.tsv.bz2": lambda p: len(pd.read_csv(p, sep="\t", header=None, quoting=csv.QUOTE_NONE)),
    "rows.jsonl.zst": _zstd_lines,
    "posts.xml.gz": lambda p: _gzip_xml(p),
}


@pytest.mark.parametrize("name", sorted(THEIRS))
def test_rows_are_exactly_what_pandas_or_lxml_read(tmp_path: Path, name: str) -> None:
    path = formats.write(tmp_path / name, formats.posts(537, seed=3))

    ours = count_rows(path, name, name)

    assert ours == THEIRS[name](path) == 537


def test_a_headerless_tsv_counts_its_first_line_and_a_header_is_not_a_row(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text('1\t0\tsay "hi\n2\t1\tno quote ends\n\n3\t0\tx\n')
    (tmp_path / "b.tsv").write_text("id\tlabel\ttext\n1\t0\tx\n")

    assert count_rows(tmp_path / "a.tsv", "a.tsv", "a") == 3  # quotes are text; blank skipped
    assert count_rows(tmp_path / "b.tsv", "b.tsv", "b") == 1


def test_damaged_files_are_unreadable_with_the_parsers_reason(tmp_path: Path) -> None:
    whole = gzip.compress(formats.ENCODERS["table.csv"](formats.posts(50, seed=1)))
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "bad.xml").write_text("<posts><row Id='1'></posts>")
    (tmp_path / "bad.json").write_text('[{"a": 1}, {"a": ]')

    with pytest.raises(Unreadable, match="gzip stream is damaged"):
        count_rows(tmp_path / "cut.csv.gz", "cut.csv.gz", "cut.csv.gz")
    with pytest.raises(Unreadable, match="not well-formed XML"):
        count_rows(tmp_path / "bad.xml", "bad.xml", "bad.xml")
    with pytest.raises(Unreadable, match="not valid JSON"):
        count_rows(tmp_path / "bad.json", "bad.json", "bad.json")


def test_unknown_formats_are_named_not_counted(tmp_path: Path) -> None:
    (tmp_path / "m.xlsx").write_bytes(b"PK\3\4")

    assert count_rows(tmp_path / "m.xlsx", "m.xlsx", "m") is None
    assert format_of("m.xlsx").refusal() == "not countable / not testable: .xlsx"
    assert format_of("model.pkl.gz").refusal() == "not countable / not testable: .pkl.gz"


def test_a_dvc_directory_mixing_formats_counts_every_readable_file(dvc_repo: Path) -> None:
    folder = dvc_repo / "data" / "raw"
    for name, count in (("posts.xml", 40), ("train.tsv.bz2", 30), ("rows.jsonl.zst", 20)):
        formats.write(folder / name, formats.posts(count, seed=count))
    (folder / "notes.bin").write_bytes(b"\0\1\2")
    sh(dvc_repo, "dvc", "add", "-q", "data/raw")
    new = {"data/raw": out_version(dvc_repo, "data/raw")}

    report = compute_delta(dvc_repo, {"data/raw": None}, new)

    side = report.paths[0].new
    assert side.rows == 90 and side.files == 4
    assert side.note == "notes.bin: not countable / not testable: .bin"
