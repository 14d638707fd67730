"""``validation: {stage: evaluate}``: the project's own evaluate stage scores the champion and
the challenger on the same split, in a scratch copy (tests/support/tfidf_project.py: a model
on TF-IDF features from a pickle, which no CSV of rows could score).

The gate's two numbers are exactly what the stage computes for each model on its test split
(computed again here, from the pickled features and each model); a better challenger is
promoted, a worse one refused; the user's work tree, uncommitted edits included, is left as it
was. Bad input (not a stage, no metrics file, metric missing) is exit 2 at `config validate`.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.proc import run
from tests.support import tfidf_project
from tests.support.cli import run_cli
from tests.support.real_projects import set_params
from tests.support.tfidf_project import features

pytestmark = pytest.mark.slow
tfidf_template = tfidf_project.tfidf_template  # the fixtures this file uses
tfidf = tfidf_project.tfidf


def retrain(root: Path) -> tuple[int, dict[str, Any], str]:
    import mlflow

    # As in a fresh `retrigger run`: no tracking URI set in-process by the test beforehand.
    mlflow.set_tracking_uri(None)  # type: ignore[arg-type]
    result = run_cli(
        "run", "--config", str(root / "retrigger.yaml"), "--force", "--reason", "t", "--json"
    )
    return result.code, json.loads(result.out) if result.out.strip() else {}, result.err


def roc_auc_on_test(root: Path, model: Any) -> float:
    from sklearn.metrics import roc_auc_score

    matrix, labels = features(root, "test")
    return float(roc_auc_score(labels, model.predict_proba(matrix)[:, 1]))


def registered(root: Path, uri: str) -> Any:
    import mlflow.sklearn

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    return mlflow.sklearn.load_model(uri)


def git_status(root: Path) -> str:
    return run(["git", "status", "--porcelain"], root).stdout


def user_edits(root: Path) -> dict[str, bytes]:
    """Work in progress the scoring must not touch: an edited tracked file, a new one."""
    (root / "README.md").write_text("# a text classifier\n\nwork in progress\n")
    (root / "notes.txt").write_text("ideas\n")
    return {name: (root / name).read_bytes() for name in ("README.md", "notes.txt")}


def test_a_better_challenger_is_promoted_on_the_stages_numbers_for_both_models(
    tfidf: Path,
) -> None:
    set_params(tfidf, noise=0.0)  # clean labels: a better model
    champion = registered(tfidf, "models:/tfidf/1")
    edits = user_edits(tfidf)

    code, outcome, err = retrain(tfidf)

    assert code == 0, err
    assert outcome["status"] == "promoted" and outcome["model_version"] == "2"
    challenger = registered(tfidf, "models:/tfidf/2")
    gate = outcome["validation"]
    assert gate["metric"] == "roc_auc.test"
    assert gate["new"] == roc_auc_on_test(tfidf, challenger)
    assert gate["champion"] == roc_auc_on_test(tfidf, champion)
    assert gate["new"] > gate["champion"]
    assert "stage evaluate" in gate["reason"] and "split test of data/features" in gate["reason"]
    # The stage reads pickled features: the overlap with the training rows is unknown, said so.
    assert gate["data"] == (
        "stage evaluate, roc_auc.test on split test of data/features; overlap with the "
        "champion's training data unknown"
    )
    assert "no rows retrigger can read" in gate["overlap"]["unknown"]
    # Scored in a scratch copy: the work tree holds the challenger's files and numbers, not
    # the champion's that the stage computed last, and the user's edits as they were.
    metrics = json.loads((tfidf / "eval" / "metrics.json").read_text())
    assert metrics["roc_auc"]["test"] == gate["new"]
    with (tfidf / "model.pkl").open("rb") as handle:
        assert roc_auc_on_test(tfidf, pickle.load(handle)) == gate["new"]
    assert {name: (tfidf / name).read_bytes() for name in edits} == edits


def test_a_worse_challenger_is_refused_and_the_tree_is_as_before(tfidf: Path) -> None:
    set_params(tfidf, noise=0.6)  # most labels flipped: a model that ranks backwards
    champion = registered(tfidf, "models:/tfidf/1")
    edits = user_edits(tfidf)
    before = git_status(tfidf)
    committed = {name: (tfidf / name).read_bytes() for name in ("dvc.lock", "eval/metrics.json")}

    code, outcome, err = retrain(tfidf)

    assert code == 1, err
    assert outcome["status"] == "rejected-by-validation"
    gate = outcome["validation"]
    challenger = registered(tfidf, f"runs:/{outcome['run_id']}/model")
    assert gate["new"] == roc_auc_on_test(tfidf, challenger)
    assert gate["champion"] == roc_auc_on_test(tfidf, champion)
    assert gate["new"] < gate["champion"]
    assert "not better than the model in production" in gate["reason"]
    assert git_status(tfidf) == before
    assert {name: (tfidf / name).read_bytes() for name in committed} == committed
    assert {name: (tfidf / name).read_bytes() for name in edits} == edits


def test_a_champion_that_is_only_an_mlflow_model_is_said_so_and_the_challenger_held_as_candidate(
    tfidf: Path,
) -> None:
    import mlflow
    import mlflow.sklearn
    import sklearn

    model = registered(tfidf, "models:/tfidf/1")
    mlflow.set_experiment("tfidf")
    with mlflow.start_run():  # the team's own model, logged without the file the stage reads
        mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name="tfidf",
            pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
        )
    assert run_cli("champion", "set", "2", "--config", str(tfidf / "retrigger.yaml")).code == 0
    set_params(tfidf, noise=0.0)

    code, outcome, err = retrain(tfidf)

    assert code == 0, err
    assert outcome["status"] == "held-as-candidate"
    gate = outcome["validation"]
    assert gate["passed"] is False and gate["champion"] is None and gate["held"] is True
    assert gate["reason"].startswith(
        "held, not promoted: champion v2 has no model.pkl file in the registry (only an "
        "MLflow model), so stage evaluate cannot score it"
    )
    assert "validation.data" in gate["reason"]
    # The challenger is kept as a registered candidate, not promoted; the way to promote it.
    assert "held tfidf v3 as a candidate" in outcome["message"], outcome
    assert "`retrigger champion set 3`" in outcome["message"]
    assert client_alias(tfidf) == "2"  # the champion stays
    assert git_status(tfidf) == ""


def test_without_the_champions_file_the_gate_scores_on_validation_data_and_says_so(
    stack: Path,
) -> None:
    import mlflow
    import mlflow.sklearn
    import sklearn

    with (stack / "model.pkl").open("rb") as handle:
        model = pickle.load(handle)
    mlflow.set_tracking_uri(f"sqlite:///{stack / 'mlflow.db'}")
    mlflow.set_experiment("stack")
    with mlflow.start_run():  # the team's model, logged without the file the stage reads
        mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name="stack",
            pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
        )
    config = yaml.safe_load((stack / "retrigger.yaml").read_text())
    config["validation"]["stage"] = "evaluate"  # beside data: data/prepared/test.csv
    (stack / "retrigger.yaml").write_text(yaml.safe_dump(config))
    assert run_cli("champion", "set", "1", "--config", str(stack / "retrigger.yaml")).code == 0
    set_params(stack, C=1.0)

    code, outcome, err = retrain(stack)

    assert code == 0, err
    gate = outcome["validation"]
    assert gate["reason"].startswith(
        "champion v1 has no model.pkl file in the registry (only an MLflow model), so stage "
        "evaluate cannot score it; scored on validation.data instead: roc_auc "
    )
    assert gate["data"].startswith("data/prepared/test.csv (")
    assert gate["champion"] is not None and gate["champion_version"] == "1"


def client_alias(root: Path) -> str:
    from mlflow.tracking import MlflowClient

    found = MlflowClient(f"sqlite:///{root / 'mlflow.db'}").get_model_version_by_alias(
        "tfidf", "champion"
    )
    return str(found.version)


def validate(root: Path, **changes: Any) -> tuple[int, str]:
    path = root / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        config[section][key] = value
    path.write_text(yaml.safe_dump(config))
    result = run_cli("config", "validate", "--config", str(path))
    return result.code, result.out + result.err


def test_config_validate_accepts_the_evaluate_stage(tfidf: Path) -> None:
    code, text = validate(tfidf)
    assert code == 0, text


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"validation__stage": "score"},
            ["'score' is not a stage", "stages: evaluate, featurize, prepare, train"],
        ),
        (
            {"validation__stage": "train"},
            ["'train' writes no metrics file", "it writes model.pkl"],
        ),
        (
            {"validation__stage": "featurize"},
            ["'featurize' writes no metrics file"],
        ),
        (
            {"model__metric": "roc_auc.valid"},
            [
                "'evaluate' writes eval/metrics.json without model.metric 'roc_auc.valid'",
                "keys: roc_auc.train, roc_auc.test",
            ],
        ),
    ],
)
def test_config_validate_refuses_a_stage_that_cannot_score(
    tfidf: Path, changes: dict[str, str], words: list[str]
) -> None:
    code, text = validate(tfidf, **changes)
    assert code == 2, text
    assert "Traceback" not in text
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    ("validation", "expected"),
    [
        ("{}", "validation needs stage: NAME (your evaluate stage) or {data: PATH"),
        ("{data: rows.csv}", "validation.data and validation.target go together"),
        ("{stage: evaluate}\nmodel: {name: m, artifact: null}", "validation.stage needs model"),
    ],
)
def test_a_validation_section_names_what_it_lacks(
    tmp_path: Path, validation: str, expected: str
) -> None:
    from retrigger.config import load_config
    from retrigger.errors import ConfigError

    path = tmp_path / "retrigger.yaml"
    text = f"validation: {validation}\n"
    path.write_text(text if "model:" in text else text + "model: {name: m}\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    assert expected in str(caught.value)
