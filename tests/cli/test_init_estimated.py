"""`init` proposes estimating the metric without labels (`signals.performance.source:
estimated`) when the project is a classifier or a regressor and no labelled rows arrive after
training; the `estimation:` section is written commented out, named from the project's files,
and one line says why. A project that scores its model on labelled held-out data gets none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from retrigger.scaffold.estimated import WHY
from tests.support import brought as projects
from tests.support.cli import run_cli

_SPLIT_AND_TRAIN = """\
stages:
  split:
    cmd: python src/split.py
    deps: [data/raw.csv, src/split.py]
    outs: [data/train.csv, data/test.csv]
  train:
    cmd: python src/train.py
    deps: [data/train.csv, src/train.py]
    outs: [model.pkl]
    metrics: [{metrics.json: {cache: false}}]
"""
_EVALUATE = """\
  evaluate:
    cmd: python src/evaluate.py
    deps: [data/test.csv, model.pkl, src/evaluate.py]
    metrics: [{eval.json: {cache: false}}]
"""


def _project(root: Path, metrics: dict[str, float], train_py: str, evaluate: bool = False) -> Path:
    projects._start(root)
    projects._track(root, "data/raw.csv", "x,label\n1,0\n2,1\n")
    projects._track(root, "data/incoming.csv", "x\n3\n4\n")
    (root / "dvc.yaml").write_text(_SPLIT_AND_TRAIN + (_EVALUATE if evaluate else ""))
    (root / "src").mkdir()
    (root / "src" / "train.py").write_text(train_py)
    (root / "requirements.txt").write_text("scikit-learn\n")
    (root / "metrics.json").write_text(json.dumps(metrics))
    (root / "eval.json").write_text(json.dumps(metrics))
    projects.sh(root, "git", "add", "-A")
    projects.sh(root, "git", "commit", "-q", "-m", "project")
    return root


def _commented_estimation(text: str) -> dict[str, object]:
    """The `estimation:` block init wrote as comments, uncommented and parsed."""
    lines = text.splitlines()
    start = lines.index("# estimation:")
    block = [lines[start]]
    block += [line for line in lines[start + 1 :] if line.startswith("#   ")][:4]
    parsed = yaml.safe_load("\n".join(line[2:] for line in block))
    assert isinstance(parsed, dict)
    section = parsed["estimation"]
    assert isinstance(section, dict)
    return section


def _uncommented(text: str) -> str:
    """retrigger.yaml as a user who takes the proposal makes it: both parts uncommented."""
    out = []
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("    # source: estimated"):
            out.append("    source: estimated")
        elif line == "# estimation:":
            out.append("estimation:")
            out += [next(lines)[2:] for _ in range(4)]
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def test_a_classifier_without_labelled_data_is_offered_the_estimate_and_told_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path / "churn",
        {"accuracy": 0.91, "f1": 0.88},
        "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier()\n",
    )
    monkeypatch.chdir(root)

    result = run_cli("init")

    assert result.code == 0, result.err
    said = [line for line in result.out.splitlines() if WHY in line]
    assert len(said) == 1 and "accuracy is a classifier's metric" in said[0], result.out
    text = (root / "retrigger.yaml").read_text()
    config = yaml.safe_load(text)
    assert "estimation" not in config  # a proposal: commented out until the user takes it
    assert config["signals"]["performance"].get("source") is None
    assert "CBPE" in text and "predict_proba" in text
    assert _commented_estimation(text) == {
        "data": "data/incoming.csv",  # the new rows, named from the DVC-tracked files
        "reference": "data/test.csv",  # the held-out split the model did not train on
        "target": "label",
        "metric": "accuracy",
    }
    # Taken as written, the proposal is a configuration retrigger accepts.
    (root / "retrigger.yaml").write_text(_uncommented(text))
    validated = run_cli("config", "validate", "--offline")
    assert validated.code == 0, validated.out + validated.err
    taken = yaml.safe_load((root / "retrigger.yaml").read_text())
    assert taken["signals"]["performance"]["source"] == "estimated"


def test_a_project_that_scores_on_labelled_held_out_data_is_not_offered_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train = "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression()\n"
    without = _project(tmp_path / "without", {"roc_auc": 0.9}, train)
    with_eval = _project(tmp_path / "with", {"roc_auc": 0.9}, train, evaluate=True)

    monkeypatch.chdir(without)
    offered = run_cli("init", "--json")
    monkeypatch.chdir(with_eval)
    scored = run_cli("init", "--json")

    assert offered.code == 0 and scored.code == 0, offered.err + scored.err
    assert any(line.startswith(WHY) for line in json.loads(offered.out)["found"])
    assert not any(line.startswith(WHY) for line in json.loads(scored.out)["found"])
    text = (with_eval / "retrigger.yaml").read_text()
    assert yaml.safe_load(text)["validation"] == {"stage": "evaluate"}
    assert "estimation:" not in text and "source: estimated" not in text


def test_a_regressor_is_offered_dle_and_its_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path / "wine",
        {"rmse": 0.71, "mae": 0.52},
        "from sklearn.linear_model import ElasticNet\nm = ElasticNet(alpha=0.3)\n",
    )
    monkeypatch.chdir(root)

    result = run_cli("init")

    assert result.code == 0, result.err
    assert any(
        WHY in line and "rmse is a regressor's metric" in line for line in result.out.splitlines()
    )
    text = (root / "retrigger.yaml").read_text()
    assert "DLE" in text and "(mae, mse, rmse; greater_is_better: false)" in text
    assert _commented_estimation(text)["metric"] == "rmse"
    (root / "retrigger.yaml").write_text(_uncommented(text))
    validated = run_cli("config", "validate", "--offline")
    assert validated.code == 0, validated.out + validated.err


def test_the_kind_comes_from_the_code_and_a_model_without_predict_proba_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forest = "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier()\n"
    svm = "from sklearn.svm import LinearSVC\nm = LinearSVC()\n"
    by_code = _project(tmp_path / "forest", {"score": 0.9}, forest)
    no_proba = _project(tmp_path / "svm", {"score": 0.9}, svm)

    monkeypatch.chdir(by_code)
    offered = json.loads(run_cli("init", "--json").out)["found"]
    monkeypatch.chdir(no_proba)
    refused = json.loads(run_cli("init", "--json").out)["found"]

    assert any(
        line.startswith(WHY) and "src/train.py builds a RandomForestClassifier" in line
        for line in offered
    ), offered
    assert _commented_estimation((by_code / "retrigger.yaml").read_text())["metric"] == "accuracy"
    assert "LinearSVC in src/train.py has no predict_proba" in "\n".join(refused), refused
    assert "# estimation:" not in (no_proba / "retrigger.yaml").read_text()
