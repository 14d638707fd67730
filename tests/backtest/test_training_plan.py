"""The digest ``backtest --train`` keeps a model under: what dvc.lock would record for the
training stages (commands, params files, the md5 of each input no training stage writes), read
from the files alone. Same inputs, same key; any input changed, another key."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.backtest.training import plan
from retrigger.errors import BadInput

DVC_YAML = """\
stages:
  featurize:
    cmd: python featurize.py
    deps: [featurize.py, data/raw]
    outs: [features.csv]
  train:
    cmd: python train.py
    deps: [train.py, features.csv]
    params: [train.depth]
    outs: [model.pkl, holdout.csv]
  report:
    cmd: python report.py
    deps: [model.pkl]
    outs: [report.html]
"""


def _tree(root: Path) -> Path:
    root.mkdir()
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "featurize.py").write_text("print('features')\n")
    (root / "train.py").write_text("print('train')\n")
    (root / "report.py").write_text("print('report')\n")
    (root / "params.yaml").write_text("train: {depth: 3}\n")
    (root / "data").mkdir()
    _dvc_file(root, "0" * 32 + ".dir")
    return root


def _dvc_file(root: Path, md5: str) -> None:
    (root / "data" / "raw.dvc").write_text(f"outs:\n- md5: {md5}\n  hash: md5\n  path: raw\n")


def _key(root: Path) -> str:
    return plan(root, "model.pkl", ["holdout.csv"], "c0ffee").key


def test_the_training_stages_and_what_they_read(tmp_path: Path) -> None:
    found = plan(_tree(tmp_path / "p"), "model.pkl", ["holdout.csv"], "c0ffee")

    assert found.targets == ("train",)
    assert found.stages == ("featurize", "train")  # report is downstream: not trained
    assert found.data == (("data/raw", "0" * 32 + ".dir"),)
    assert found.keep == ("model.pkl", "holdout.csv")
    assert found.inputs["train"]["deps"]["features.csv"] == "stage featurize"


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / "train.py").write_text("print('train better')\n"),
        lambda root: (root / "featurize.py").write_text("print('other features')\n"),
        lambda root: (root / "params.yaml").write_text("train: {depth: 4}\n"),
        lambda root: _dvc_file(root, "1" * 32 + ".dir"),
    ],
    ids=["train code", "upstream code", "params", "data version"],
)
def test_an_input_changed_is_another_model(tmp_path: Path, change: object) -> None:
    root = _tree(tmp_path / "p")
    before = _key(root)

    change(root)  # type: ignore[operator]

    assert _key(root) != before


def test_what_the_training_stages_do_not_read_keeps_the_model(tmp_path: Path) -> None:
    root = _tree(tmp_path / "p")
    before = _key(root)

    (root / "report.py").write_text("print('a nicer report')\n")
    (root / "README.md").write_text("notes\n")

    assert _key(root) == before


def test_no_stage_writing_the_model_is_bad_input(tmp_path: Path) -> None:
    root = _tree(tmp_path / "p")

    with pytest.raises(
        BadInput, match=r"no stage of dvc\.yaml writes model\.artifact 'other\.pkl'"
    ):
        plan(root, "other.pkl", [], "c0ffee")


WDIR_YAML = """\
stages:
  train:
    wdir: src
    cmd: python train.py
    deps: [train.py, ../data/raw]
    params: [depth]
    outs: [../model.pkl]
"""


def test_a_stage_s_wdir_names_its_paths_from_there(tmp_path: Path) -> None:
    """DVC reads deps, outs and params files of a stage with ``wdir: src`` from ``src/``: the
    model named from the root is found, and the code and params the digest holds are src/'s."""
    root = _tree(tmp_path / "p")
    (root / "dvc.yaml").write_text(WDIR_YAML)
    (root / "src").mkdir()
    (root / "src" / "train.py").write_text("print('src train')\n")
    (root / "src" / "params.yaml").write_text("depth: 3\n")

    found = plan(root, "model.pkl", [], "c0ffee")

    assert found.targets == ("train",) and found.data == (("data/raw", "0" * 32 + ".dir"),)
    deps = found.inputs["train"]["deps"]
    assert set(deps) == {"src/train.py", "data/raw"}
    assert set(found.inputs["train"]["params"]) == {"src/params.yaml"}
    before = found.key
    (root / "src" / "train.py").write_text("print('src train, better')\n")
    assert plan(root, "model.pkl", [], "c0ffee").key != before
