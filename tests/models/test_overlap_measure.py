"""The overlap count between two row sources (retrigger.evaluation.overlap), on real files read
by the drift reader: CSV against Parquet, numbers typed differently, a sample above the limit."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from retrigger.drift.io import open_table
from retrigger.evaluation.overlap import measure


def csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_rows_written_again_as_parquet_with_other_number_types_are_found(tmp_path: Path) -> None:
    train = csv(tmp_path / "train.csv", "a,b,city,label", [f"{i},{i}.5,x{i},1" for i in range(50)])
    # Ten training rows, written by another tool: floats where the CSV held integers, an extra
    # column the training data lacks (compared on the shared ones only).
    table = pa.table(
        {
            "a": pa.array([float(i) for i in range(40, 60)]),
            "b": pa.array([i + 0.5 for i in range(40, 60)]),
            "city": [f"x{i}" for i in range(40, 60)],
            "label": pa.array([1] * 20, pa.int64()),
            "score": pa.array([0.1] * 20),
        }
    )
    pq.write_table(table, tmp_path / "valid.parquet")

    with open_table(tmp_path / "valid.parquet") as valid, open_table(train) as trained:
        found = measure(valid, [trained], "the training data")

    assert (found.rows, found.of, found.sampled) == (10, 20, None)
    assert set(found.columns) == {"a", "b", "city", "label"}
    assert found.describe().startswith("10 of 20 validation rows (50%) are in the training data")


def test_a_row_differing_in_one_shared_column_is_not_counted(tmp_path: Path) -> None:
    train = csv(tmp_path / "train.csv", "a,label", ["1,0", "2,1"])
    valid = csv(tmp_path / "valid.csv", "a,label", ["1,1", "2,1"])

    with open_table(valid) as v, open_table(train) as t:
        assert measure(v, [t], "it").rows == 1


def test_above_the_limit_a_fixed_sample_is_checked_and_said(tmp_path: Path) -> None:
    train = csv(tmp_path / "train.csv", "a,label", [f"{i},0" for i in range(0, 2000, 2)])
    valid = csv(tmp_path / "valid.csv", "a,label", [f"{i},0" for i in range(1000)])

    with open_table(valid) as v, open_table(train) as t:
        found = measure(v, [t], "it", sample_rows=200)

    assert found.sampled == 200 and 350 <= found.rows <= 650  # half of 1000, estimated
    assert "≈" in found.describe() and "a sample of 200 rows checked" in found.describe()


def test_sharing_only_the_label_is_unknown_not_every_row(tmp_path: Path) -> None:
    train = csv(tmp_path / "train.csv", "x,y,label", ["1,2,0", "3,4,1"])
    valid = csv(tmp_path / "valid.csv", "a,b,label", ["1,0,0", "5,6,1"])

    with open_table(valid) as v, open_table(train) as t:
        found = measure(v, [t], "it")

    assert found.unknown is not None and not found.found
    assert "share 1 of their 3 columns" in found.describe()


def test_rows_the_champion_was_validated_on_are_not_training_rows(tmp_path: Path) -> None:
    raw = csv(tmp_path / "raw.csv", "a,label", [f"{i},0" for i in range(100)])
    old_holdout = csv(tmp_path / "old.csv", "a,label", [f"{i},0" for i in range(80, 100)])
    valid = csv(tmp_path / "valid.csv", "a,label", [f"{i},0" for i in range(70, 100)])

    with open_table(valid) as v, open_table(raw) as t, open_table(old_holdout) as h:
        assert measure(v, [t], "it", held_out=[h]).rows == 10
