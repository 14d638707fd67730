"""``retrigger backtest --train`` on tests/backtest/train_history.py's four periods (real git,
``dvc repro`` of a scikit-learn stage, MLflow store): each period trained once, whatever the
number of runs; the cells are the scores the test computes itself; the project is untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrigger.commands.backtest_train import periods
from tests.backtest import train_history
from tests.backtest.history import sh
from tests.support.cli import run_cli


@pytest.fixture(scope="session")
def train_template(
    tmp_path_factory: pytest.TempPathFactory, mlflow_db_template: Path
) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("train-history") / "project"
    return root, train_history.build(root, mlflow_db_template)


@pytest.fixture
def project(
    train_template: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, list[str]]:
    template, shas = train_template
    root = Path(shutil.copytree(template, tmp_path / "project", symlinks=True))
    monkeypatch.setenv("TRAIN_COUNTER", str(tmp_path / "trained.txt"))
    return root, shas


def _fingerprint(root: Path) -> dict[str, object]:
    """What a backtest must leave as it was: the git status, the DVC cache's objects, dvc.lock,
    the MLflow store's bytes, the state store, git's worktrees."""
    cache = root / ".dvc" / "cache"
    return {
        "status": sh(root, "git", "status", "--porcelain"),
        "outputs": [(root / name).exists() for name in ("model.pkl", "holdout.csv")],
        "cache": sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()),
        "lock": (root / "dvc.lock").exists(),
        "mlflow": hashlib.md5((root / "mlflow.db").read_bytes()).hexdigest(),
        "state": (root / ".retrigger" / "state.db").exists(),
        "worktrees": sh(root, "git", "worktree", "list"),
    }


def _accuracy(trained_at: int, scored_on: int) -> float:
    """The cell by hand: the stage's own fit on period i's rows, scored on period j's holdout."""
    import pandas as pd
    from sklearn.metrics import accuracy_score

    code: dict[str, object] = {}
    exec(train_history.TRAIN, code)  # the stage's own functions
    split, fit = code["split"], code["fit"]

    def frame(period: int) -> pd.DataFrame:
        return pd.DataFrame(train_history.rows_at(period), columns=["x", "y"])

    model = fit(split(frame(trained_at))[0])  # type: ignore[operator]
    holdout = split(frame(scored_on))[1]  # type: ignore[operator]
    return float(accuracy_score(holdout["y"], model.predict(holdout[["x"]])))


def _trained(tmp: Path) -> int:
    counter = tmp / "trained.txt"
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def test_train_fills_the_matrix_once_and_leaves_the_project_as_it_was(
    project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = project
    config = str(root / "retrigger.yaml")
    before = _fingerprint(root)

    first = run_cli("backtest", "--config", config, "--train", "--cost", "--json")

    assert first.code == 0, first.err
    assert _trained(tmp_path) == 4  # one `dvc repro` per period
    document = json.loads(first.out)
    train = document["train"]
    assert [p["commit"] for p in train["periods"]] == shas
    cells = {(c["i"], c["j"]): c for c in train["cells"]}
    assert len(cells) == 10 and all(c["value"] is not None for c in cells.values())
    for i, j in [(0, 2), (1, 3)]:
        assert cells[(i, j)]["value"] == pytest.approx(_accuracy(i, j))
        assert cells[(i, j)]["model"]["commit"] == shas[i]
        assert cells[(i, j)]["rows"]["rows"] == 12 * (j + 1)
    assert cells[(0, 3)]["value"] < cells[(3, 3)]["value"]  # the drift costs the old model
    stored = json.loads((root / ".retrigger" / "backtest" / "matrix.json").read_text())
    assert stored["cells"] == train["cells"]
    seconds = [p["model"]["seconds"] for p in train["periods"]]
    assert all(s > 0 for s in seconds)
    cost = document["cost"]
    assert cost["unknown_cells"] == 0
    assert "C = " in cost["notes"][0] and "measured duration" in cost["notes"][0]
    assert cost["oracle"]["cost"] is not None and cost["policy"]["cost"] is not None

    second = run_cli("backtest", "--config", config, "--train")

    assert second.code == 0, second.err
    assert _trained(tmp_path) == 4  # nothing trained twice
    assert "4 distinct models (0 trained now, 4 reused)" in second.out
    row = " ".join(f"{cells[(0, j)]['value']:>6.3f}" for j in range(4))
    assert f"0 {shas[0][:8]}  {row}" in second.out
    again = json.loads((root / ".retrigger" / "backtest" / "matrix.json").read_text())
    assert [c["value"] for c in again["cells"]] == [c["value"] for c in train["cells"]]
    assert all(c["reused"] for c in again["cells"])
    assert [p["model"]["seconds"] for p in again["periods"]] == seconds
    assert not any(p["model"]["trained_now"] for p in again["periods"])
    assert _fingerprint(root) == before


def test_train_without_rows_to_score_on_is_bad_input(project: tuple[Path, list[str]]) -> None:
    root, _ = project

    result = run_cli(
        "backtest", "--config", str(root / "retrigger.yaml"), "--train", "--set", "validation=null"
    )

    assert result.code == 2
    assert "--train scores each model" in result.err
    assert "Traceback" not in result.err


def test_cost_without_a_retrain_cost_and_without_train_is_bad_input(
    project: tuple[Path, list[str]],
) -> None:
    root, _ = project

    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), "--cost")

    assert result.code == 2
    assert "backtest.cost.retrain is not set" in result.err and "--train" in result.err


def test_every_trains_at_the_first_point_of_each_interval() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    days = [0, 2, 6, 7, 8, 20, 27]  # intervals of 7 days: [0, 7) [7, 14) [14, 21) [21, 28)

    times = [start + timedelta(days=d) for d in days]

    assert periods(times, timedelta(days=7)) == [0, 3, 5, 6]
    assert periods(times, None) == list(range(7))


def test_tune_on_the_trained_matrix_knows_every_cell_and_chooses(
    project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = project

    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), "--tune", "--train")
    tuned = json.loads(
        run_cli(
            "backtest", "--config", str(root / "retrigger.yaml"), "--tune", "--train", "--json"
        ).out
    )["tune"]

    assert result.code == 0, result.err
    assert _trained(tmp_path) == 4  # the second run reused the four models
    # History recorded almost none of these cells; trained, both parts are fully known.
    assert tuned["tuned_on"] == {"periods": [0, 1], "unknown_cells": 0, "cells": 3}
    assert tuned["scored_on"] == {"periods": [2, 3], "unknown_cells": 0, "cells": 3}
    assert tuned["commits"] == shas
    assert tuned["unknown_settings"] == 0 and tuned["chosen"] is not None
    assert all(t["cost"] is not None for t in tuned["tried"])
