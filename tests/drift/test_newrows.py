"""Which current rows the drift signal compares (``signals.drift.current``), on real CSV and
Parquet files: append-only data is found by its first rows, a rewritten file is compared whole."""

from __future__ import annotations

from pathlib import Path

from retrigger.drift.io import open_table
from retrigger.drift.newrows import choose
from tests.drift.conftest import Writer

OLD = {"x": [1.5, 2.5, 3.5], "city": ["Lyon", "Oslo", "Lyon"]}


def _choice(ref: Path, cur: Path, mode: str) -> tuple[bool, int, list[float], str]:
    with open_table(ref) as reference, open_table(cur) as current:
        found = choose(reference, current, mode)  # type: ignore[arg-type]
        x = found.table.column("x").to_pylist()
        return found.new_only, found.table.num_rows, x, found.why


def test_append_only_data_is_compared_on_its_new_rows(write: Writer, tmp_path: Path) -> None:
    ref = write("ref.parquet", OLD)
    # The current side as text, the reference as Parquet: the values decide, not the format.
    cur = tmp_path / "cur.csv"
    cur.write_text("x,city\n1.5,Lyon\n2.5,Oslo\n3.5,Lyon\n9.5,Rome\n8.5,Oslo\n", encoding="utf-8")

    new_only, rows, x, why = _choice(ref, cur, "auto")

    assert (new_only, rows, x) == (True, 2, [9.5, 8.5])
    assert "only the 2 new rows" in why and "starts with the reference's 3 rows" in why


def test_a_rewritten_file_is_compared_whole(write: Writer) -> None:
    ref = write("ref.parquet", OLD)
    cur = write("cur.parquet", {"x": [1.5, 2.0, 3.5, 9.5], "city": ["Lyon", "Oslo", "Lyon", "X"]})

    assert _choice(ref, cur, "auto")[:2] == (False, 4)
    assert _choice(ref, cur, "new")[:3] == (True, 1, [9.5])  # told it is append-only: trusted
    assert _choice(ref, cur, "all")[:2] == (False, 4)


def test_new_with_no_row_past_the_reference_compares_all_and_says_so(write: Writer) -> None:
    ref = write("ref.parquet", OLD)
    cur = write("cur.parquet", {"x": [1.5, 2.5], "city": ["Lyon", "Oslo"]})

    new_only, rows, _, why = _choice(ref, cur, "new")

    assert (new_only, rows) == (False, 2)
    assert "no row past the reference's 3" in why
