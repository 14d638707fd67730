"""Drift per format: the same posts written as XML, TSV, CSV, JSON (lines and arrays), compressed
or not, give a drifted and an undrifted pair with the same verdicts and exact row counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.data.formats import Unreadable
from retrigger.drift.io import open_table
from tests.drift.conftest import drift_of
from tests.support import formats

ROWS = 600
HEADERLESS = ("train.tsv", "train.tsv.bz2")  # columns f0..f4, in COLUMNS order


def _columns(name: str) -> list[str]:
    if name in HEADERLESS:
        return [f"f{formats.COLUMNS.index(c)}" for c in ("Score", "Tags")]
    return ["Score", "Tags"]


@pytest.mark.parametrize("name", sorted(formats.ENCODERS))
def test_drifted_and_undrifted_pairs_in_every_format(tmp_path: Path, name: str) -> None:
    reference = formats.write(tmp_path / "ref" / name, formats.posts(ROWS, seed=1))
    same = formats.write(tmp_path / "same" / name, formats.posts(ROWS + 50, seed=2))
    moved = formats.write(tmp_path / "moved" / name, formats.posts(ROWS, seed=3, shifted=True))
    columns = _columns(name)

    # Scores are small counts: Evidently's default (chi2) flags their rare tail by chance.
    options = {"columns": columns, "stattest": {columns[0]: "ks"}}

    quiet = drift_of(reference, same, **options)
    loud = drift_of(reference, moved, **options)

    assert (quiet.reference_rows, quiet.current_rows) == (ROWS, ROWS + 50)
    assert quiet.n_drifted == 0 and not quiet.drift
    assert sorted(loud.drifted_columns) == sorted(columns) and loud.drift


def test_xml_values_take_the_narrowest_type_of_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrigger.drift import records_table

    monkeypatch.setattr(records_table, "BLOCK_RECORDS", 7)  # many blocks
    records = formats.posts(30, seed=5)
    records[25]["Score"] = "2.5"  # a float late in the file
    records[3].pop("PostTypeId")  # an attribute a record lacks is missing, not an error
    path = formats.write(tmp_path / "posts.xml", records)

    with open_table(path) as table:
        assert str(table.dtype("Id")) == "int64" and str(table.dtype("Score")) == "double"
        assert str(table.dtype("Tags")) == "string"
        assert table.column("PostTypeId").null_count == 1
        assert table.column("Title").to_pylist()[0] == 'How do I "merge" frames & keep <NA>? #0'


def test_a_directory_mixing_formats_is_one_table(tmp_path: Path) -> None:
    folder = tmp_path / "raw"
    formats.write(folder / "posts.xml", formats.posts(40, seed=1))
    formats.write(folder / "table.csv.gz", formats.posts(30, seed=2))
    formats.write(folder / "rows.jsonl.zst", formats.posts(20, seed=3))
    (folder / "notes.bin").write_bytes(b"\0")

    with open_table(folder) as table:
        assert table.num_rows == 90
        assert set(formats.COLUMNS) <= set(table.names)


def test_damaged_xml_and_unknown_formats_are_unreadable(tmp_path: Path) -> None:
    (tmp_path / "bad.xml").write_text("<posts><row Id='1'></posts>")
    (tmp_path / "m.xlsx").write_bytes(b"PK")

    with pytest.raises(Unreadable, match="not well-formed XML"):
        open_table(tmp_path / "bad.xml")
    with pytest.raises(Unreadable, match=r"not countable / not testable: \.xlsx"):
        open_table(tmp_path / "m.xlsx")
