"""Which `dvc repro` a forced retrain runs, read from dvc.yaml alone (example-get-started's
shape: prepare → featurize → train → evaluate, and a report stage beside)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.pipeline.force import plan

DVC_YAML = """\
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps: [data/data.xml, src/prepare.py]
    outs: [data/prepared]
  featurize:
    cmd: python src/featurization.py data/prepared data/features
    deps: [data/prepared, src/featurization.py]
    outs: [data/features]
  train:
    cmd: python src/train.py data/features model.pkl
    deps: [data/features, src/train.py]
    outs: [model.pkl]
  evaluate:
    cmd: python src/evaluate.py model.pkl data/features
    deps: [model.pkl, data/features, src/evaluate.py]
    metrics: [{eval/metrics.json: {cache: false}}]
  report:
    cmd: echo done > report.txt
    deps: [README.md]
    outs: [report.txt]
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "dvc.yaml").write_text(DVC_YAML)
    return tmp_path


def test_training_and_what_evaluates_it_are_forced_after_the_stages_upstream(root: Path) -> None:
    repro = plan(root, ["dvc", "repro", "--pull", "-s"], "./model.pkl", force=True)

    assert repro.commands == [
        ["dvc", "repro", "--pull", "prepare", "featurize"],
        ["dvc", "repro", "--pull", "--force", "--downstream", "train"],
    ]
    assert repro.forced == ["train", "evaluate"]
    assert repro.shown.endswith("&& dvc repro --pull --force --downstream train")
    assert repro.note is None


def test_a_retrain_nobody_forced_runs_the_command_as_configured(root: Path) -> None:
    repro = plan(root, ["dvc", "repro"], "model.pkl", force=False)

    assert (repro.commands, repro.forced) == ([["dvc", "repro"]], [])


def test_without_a_stage_that_writes_the_model_every_stage_is_forced(root: Path) -> None:
    assert plan(root, ["dvc", "repro"], None, force=True).commands == [["dvc", "repro", "--force"]]
    targeted = plan(root, ["python", "-m", "dvc", "repro", "evaluate"], "model.pkl", force=True)
    assert targeted.commands == [["python", "-m", "dvc", "repro", "evaluate", "--force"]]
    assert targeted.forced == ["prepare", "featurize", "train", "evaluate"]


def test_a_command_that_is_not_dvc_repro_runs_as_it_is_and_says_so(root: Path) -> None:
    repro = plan(root, ["make", "train"], "model.pkl", force=True)

    assert (repro.commands, repro.forced) == ([["make", "train"]], [])
    assert repro.note is not None and "`make train` is not `dvc repro`" in repro.note
