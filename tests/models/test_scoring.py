"""Scoring a real sklearn MLflow model on labelled rows; metric names and aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.config.metrics import resolve
from retrigger.config.models import ValidationConfig
from retrigger.errors import BadInput, WorkFailed
from retrigger.evaluation import scoring
from tests.models.conftest import fitted, save


@pytest.mark.parametrize(
    ("name", "canonical", "greater"),
    [
        ("accuracy", "accuracy", True),
        ("AUC", "roc_auc", True),
        ("roc_auc_score", "roc_auc", True),
        ("rmse", "rmse", False),
        ("mean_absolute_error", "mae", False),
        ("logloss", "log_loss", False),
        ("r2", "r2", True),
        ("f1", "f1", True),
    ],
)
def test_metric_names_and_aliases_resolve_with_their_direction(
    name: str, canonical: str, greater: bool
) -> None:
    found = resolve(name)
    assert found is not None and (found.name, found.greater_is_better) == (canonical, greater)


def test_unknown_metric_is_none() -> None:
    assert resolve("goodness") is None


def test_a_model_is_scored_with_labels_and_probabilities(tmp_path: Path) -> None:
    model, frame = fitted(tmp_path)
    good = scoring.load(str(save(model, tmp_path / "good")), "sqlite:///" + str(tmp_path / "x.db"))
    rows = scoring.read_labelled(tmp_path, ValidationConfig(data="rows.csv", target="label"))

    accuracy = scoring.score(good, rows, resolve("accuracy"))  # type: ignore[arg-type]
    auc = scoring.score(good, rows, resolve("roc_auc"))  # type: ignore[arg-type]
    loss = scoring.score(good, rows, resolve("log_loss"))  # type: ignore[arg-type]

    assert rows.rows == 200 and "label" not in rows.features.columns
    assert accuracy == pytest.approx(
        (model.predict(frame[["x0", "x1", "x2"]]) == frame["label"]).mean()
    )
    assert 0.95 < auc <= 1.0 and 0 < loss < 0.5


def test_a_model_that_cannot_predict_on_the_rows_fails_in_one_line(tmp_path: Path) -> None:
    model, frame = fitted(tmp_path)
    frame.drop(columns=["x2"]).to_csv(tmp_path / "rows.csv", index=False)
    loaded = scoring.load(str(save(model, tmp_path / "m")), "sqlite:///" + str(tmp_path / "x.db"))
    rows = scoring.read_labelled(tmp_path, ValidationConfig(data="rows.csv", target="label"))

    with pytest.raises(WorkFailed, match=r"cannot predict on validation\.data rows\.csv") as caught:
        scoring.score(loaded, rows, resolve("accuracy"))  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


def test_a_folder_without_mlmodel_does_not_load(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "model.pkl").write_bytes(b"not a model")

    with pytest.raises(WorkFailed, match=r"cannot load .* with mlflow\.pyfunc"):
        scoring.load(str(tmp_path / "raw"), "sqlite:///" + str(tmp_path / "x.db"))


def test_rows_without_the_target_are_bad_input(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text("a,b\n1,2\n")
    with pytest.raises(BadInput, match="has no column 'label'"):
        scoring.read_labelled(tmp_path, ValidationConfig(data="rows.csv", target="label"))
