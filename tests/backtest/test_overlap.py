"""Validation rows the model trained on (``backtest --train``): the cell is unknown, with the
count and the files, never a flattering score (retrigger/backtest/overlap.py, matrix.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from retrigger.backtest import overlap
from retrigger.backtest.matrix import Period, PeriodAt, _cell
from retrigger.backtest.matrix_store import MatrixStore, Trained
from retrigger.backtest.scorers import Rows
from retrigger.backtest.training import plan
from retrigger.data.odb import cache_path, file_md5

TRAIN = pd.DataFrame({"x": [1.5, 2.5, 3.5, 4.5], "y": [0, 0, 1, 1], "period": [0, 0, 0, 0]})
VALID = pd.DataFrame({"x": [2.5, 9.5, 4.5], "y": [0, 1, 1]})  # rows 1 and 3 are TRAIN's

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py, data/train.csv, data/extra.csv]
    outs: [model.pkl]
"""


def _project(root: Path) -> Path:
    """data/train.csv DVC-tracked (its object in the cache), data/extra.csv and the
    validation file data/valid.csv in git; only train.py and the two inputs train."""
    (root / "data").mkdir(parents=True)
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "train.py").write_text("print('train')\n")
    staged = root / "staged.csv"
    TRAIN.to_csv(staged, index=False)
    md5 = file_md5(staged)
    cached = cache_path(root, md5)
    cached.parent.mkdir(parents=True)
    staged.rename(cached)
    (root / "data" / "train.csv.dvc").write_text(f"outs:\n- md5: {md5}\n  path: train.csv\n")
    pd.DataFrame({"x": [9.5], "z": [1]}).to_csv(root / "data" / "extra.csv", index=False)
    VALID.to_csv(root / "data" / "valid.csv", index=False)
    return root


def test_the_plan_names_the_inputs_and_a_validation_file_no_stage_trains_on(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "p")

    found = plan(root, "model.pkl", ["data/valid.csv", "data/train.csv"], "c0ffee")

    md5 = found.data[0][1]
    assert found.files == (("data/extra.csv", None), ("data/train.csv", md5), ("train.py", None))
    assert found.separate == ("data/valid.csv",)  # train.csv is read by the stage: its split


def test_rows_of_the_training_tables_are_found_by_their_values(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    files = plan(root, "model.pkl", ["data/valid.csv"], "c0ffee").files
    columns = ("x", "y")

    trained = overlap.trained_rows(root, root, files, columns)

    # extra.csv lacks y: not compared (9.5 is in it); train.py is no table.
    assert trained.paths == ("data/train.csv",)
    assert overlap.seen(overlap.row_hashes(VALID, columns), trained) == 2
    assert overlap.seen(overlap.row_hashes(VALID, columns), None) == 0  # unchecked: nothing


def test_a_cell_scored_on_rows_the_model_trained_on_is_unknown_and_says_why(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "p")
    columns = ("x", "y")
    trained = overlap.trained_rows(root, root, plan(root, "model.pkl", [], "c").files, columns)
    at = PeriodAt("a" * 40, datetime(2026, 1, 1, tzinfo=UTC), "v0")
    model = Trained("k0", "a" * 40, "v0", 1.0, "2026-01-01T00:00:00", {})
    rows = Rows("r0", 3, "data/valid.csv", VALID, columns, overlap.row_hashes(VALID, columns))
    period = Period(at, model, False, rows, (), trained)

    cell = _cell(MatrixStore(root), None, [period], 0, 0, root)  # type: ignore[arg-type]

    assert cell.value is None
    assert cell.why == (
        "2 of 3 rows of data/valid.csv at aaaaaaaa are rows of data/train.csv the model of "
        "aaaaaaaa was trained on: its score there would flatter it"
    )
