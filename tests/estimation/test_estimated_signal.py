"""`retrigger check --json` with `signals.performance.source: estimated`: a real MLflow sqlite
registry, a real sklearn champion, no labels on the new rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from tests.estimation import regression
from tests.estimation.checks import champion, check, configure
from tests.estimation.synthetic import world
from tests.models.conftest import Small
from tests.support.cli import run_cli


def test_estimated_accuracy_fires_on_shifted_rows_and_not_on_unshifted_ones(
    project: Small, tmp_path: Path
) -> None:
    configure(project, "shifted.csv", {"min": 0.78})
    version = champion(project, LogisticRegression().fit(*world(seed=0)["train"]), tmp_path)

    shifted = check(project)
    configure(project, "same.csv", {"min": 0.78})
    same = check(project)

    assert shifted["state"] == "fired" and shifted["value"] < 0.78
    estimate = shifted["estimate"]
    assert estimate["low"] < shifted["value"] < estimate["high"] < 0.78
    assert estimate["model_version"] == version and estimate["rows"] == 3000
    assert estimate["data"]["path"] == "shifted.csv" and estimate["method"] == "cbpe"
    assert "estimated, 95% interval [" in shifted["detail"]
    assert f"models:/m@champion version {version}" in shifted["detail"]
    assert same["state"] == "ok" and same["value"] > 0.78


def test_fire_on_bound_waits_for_the_whole_interval(project: Small, tmp_path: Path) -> None:
    configure(project, "shifted.csv", {"min": 0.5})
    champion(project, LogisticRegression().fit(*world(seed=0)["train"]), tmp_path)
    estimate = check(project)["estimate"]
    floor = round((estimate["value"] + estimate["high"]) / 2, 4)  # above the value, in the interval

    configure(project, "shifted.csv", {"min": floor})
    on_value = check(project)
    configure(project, "shifted.csv", {"min": floor}, fire_on="bound")
    on_bound = check(project)

    assert on_value["state"] == "fired"
    assert on_bound["state"] == "ok" and "the whole interval is not below" in on_bound["detail"]


def test_a_champion_without_predict_proba_is_unknown_with_the_reason(
    project: Small, tmp_path: Path
) -> None:
    configure(project, "shifted.csv", {"min": 0.78})
    champion(project, LinearSVC().fit(*world(seed=0)["train"]), tmp_path)

    reading = check(project)

    assert reading["state"] == "unknown" and reading["fired"] is False
    assert "no predict_proba" in reading["detail"]


def test_source_estimated_without_an_estimation_section_is_exit_2(project: Small) -> None:
    configure(project, "shifted.csv", {"min": 0.78})
    document = yaml.safe_load(project.config.read_text())
    del document["estimation"]
    project.config.write_text(yaml.safe_dump(document))

    result = run_cli("check", "-c", str(project.config), "--json")

    assert result.code == 2 and "needs an estimation section" in result.err


@pytest.mark.parametrize(
    ("performance", "estimation", "said"),
    [
        ({"min": 0.5}, {"metric": "r2"}, "'r2' cannot be estimated without labels"),
        (
            {"max_drop": 0.05},
            {"metric": "roc_auc"},
            "estimation.metric 'roc_auc' differs from model.metric 'accuracy'",
        ),
        ({"min": 0.5}, {"reference": "../ref.csv"}, "must be a path inside the repository"),
        ({"min": 0.5}, {"metric": "rmse"}, "rmse is lower-is-better: set model.greater_is_better"),
    ],
)
def test_an_estimation_config_that_cannot_mean_what_it_says_is_exit_2(
    project: Small, performance: dict[str, Any], estimation: dict[str, Any], said: str
) -> None:
    configure(project, "shifted.csv", performance, **estimation)

    result = run_cli("check", "-c", str(project.config), "--json")

    assert result.code == 2 and said in result.err, result.err


def test_estimated_mae_of_a_regressor_fires_where_its_error_grows(
    project: Small, tmp_path: Path
) -> None:
    """DLE through the whole check: a linear champion on a curved truth; the shifted rows sit
    where it errs most. ``min`` is the ceiling of a lower-is-better metric."""
    rows = regression.world()
    reference, target = rows["reference"]
    reference.assign(target=target).to_csv(project.root / "reference.csv", index=False)
    rows["same"][0].to_csv(project.root / "same.csv", index=False)
    rows["covariate"][0].to_csv(project.root / "shifted.csv", index=False)
    performance = {"min": 1.4}
    configure(project, "shifted.csv", performance, target="target")
    document = yaml.safe_load(project.config.read_text())
    document["model"] |= {"metric": "mae", "greater_is_better": False}
    project.config.write_text(yaml.safe_dump(document))
    version = champion(project, regression.champion(), tmp_path)

    shifted = check(project)
    document["estimation"]["data"] = "same.csv"
    project.config.write_text(yaml.safe_dump(document))
    same = check(project)

    realised = float(
        np.abs(rows["covariate"][1] - regression.champion().predict(rows["covariate"][0])).mean()
    )
    estimate = shifted["estimate"]
    assert shifted["state"] == "fired" and estimate["method"] == "dle", shifted
    assert estimate["low"] <= realised <= estimate["high"]
    assert estimate["model_version"] == version and estimate["loss_model_error"] > 0
    assert (
        "direct loss estimation" in shifted["detail"]
        and "above the threshold 1.4" in shifted["detail"]
    )
    assert same["state"] == "ok" and same["value"] < 1.4
    # The loss models were fitted once, by the first check, and reused by the second; a refit
    # gives the same estimate.
    assert estimate["loss_models"] == "fitted" and same["estimate"]["loss_models"] == "reused"
    shutil.rmtree(project.root / ".retrigger" / "estimation")
    refitted = check(project)
    assert refitted["estimate"]["loss_models"] == "fitted"
    assert refitted["estimate"]["value"] == same["estimate"]["value"]


def test_when_labels_arrive_the_realised_metric_is_set_beside_the_estimate(
    project: Small, tmp_path: Path
) -> None:
    """The unlabelled rows are estimated; later the same rows arrive labelled, in another file
    and another order: the labelled check names the estimate, and whether it held."""
    configure(project, "shifted.csv", {"min": 0.78})
    model = LogisticRegression().fit(*world(seed=0)["train"])
    champion(project, model, tmp_path)
    estimated = run_cli("check", "-c", str(project.config), "--json")
    first = json.loads(estimated.out)
    features, labels = world(seed=0)["covariate"]
    labelled = features.assign(label=labels).sample(frac=1.0, random_state=3)
    labelled.to_csv(project.root / "labelled.csv", index=False)
    document = yaml.safe_load(project.config.read_text())
    document["signals"]["performance"]["source"] = "validation"
    document["validation"] = {"data": "labelled.csv", "target": "label", "metric": "accuracy"}
    project.config.write_text(yaml.safe_dump(document))

    reading = check(project)

    realised = float((model.predict(features) == labels).mean())
    estimate = first["signals"][0]["estimate"]
    assert reading["value"] == pytest.approx(realised)
    compared = reading["estimated"]
    assert compared["decision_id"] == first["decision_id"]
    assert compared["value"] == pytest.approx(estimate["value"])
    assert compared["inside"] is (estimate["low"] <= realised <= estimate["high"]) is True
    assert compared["error"] == pytest.approx(realised - estimate["value"])
    assert f"for these rows by decision {first['decision_id']}" in reading["detail"]
    assert reading["rows"]["rows_key"] == estimate["rows_key"]


def test_labelled_rows_nobody_estimated_carry_no_estimate(project: Small, tmp_path: Path) -> None:
    configure(project, "shifted.csv", {"min": 0.78})
    champion(project, LogisticRegression().fit(*world(seed=0)["train"]), tmp_path)
    assert run_cli("check", "-c", str(project.config), "--json").code == 0
    features, labels = world(seed=0)["same"]  # other rows than the estimated ones
    features.assign(label=labels).to_csv(project.root / "labelled.csv", index=False)
    document = yaml.safe_load(project.config.read_text())
    document["signals"]["performance"]["source"] = "validation"
    document["validation"] = {"data": "labelled.csv", "target": "label", "metric": "accuracy"}
    project.config.write_text(yaml.safe_dump(document))

    reading = check(project)

    assert "estimated" not in reading and "for these rows" not in reading["detail"]
