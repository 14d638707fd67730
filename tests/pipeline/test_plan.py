"""`run --dry-run` names every stage the retrain will run: `dvc repro --dry` lists only the
stages stale now, the plan adds what lies downstream of them (example-get-started's shape:
prepare → featurize → train, evaluate beside)."""

from __future__ import annotations

from pathlib import Path

from retrigger.pipeline.dag import downstream
from retrigger.pipeline.dvc import dry_plan
from tests.support.dvcrepo import sh

DVC_YAML = """\
stages:
  prepare:
    cmd: cp data/data.xml data/prepared.xml
    deps: [data/data.xml]
    outs: [data/prepared.xml]
  featurize:
    cmd: mkdir -p data/features && cp data/prepared.xml data/features/f.xml
    deps: [data/prepared.xml]
    outs: [data/features]
  train:
    cmd: cp data/features/f.xml model.pkl
    deps: [data/features/f.xml]
    outs: [model.pkl]
  report:
    cmd: echo done > report.txt
    deps: [README.md]
    outs: [report.txt]
"""


def test_the_plan_runs_everything_downstream_of_a_stale_stage(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "data").mkdir(parents=True)
    sh(root, "git", "init", "-q")
    sh(root, "dvc", "init", "-q")
    (root / "data" / "data.xml").write_text("<posts><row Id='1'/></posts>\n")
    (root / "README.md").write_text("x\n")
    (root / "dvc.yaml").write_text(DVC_YAML)
    sh(root, "dvc", "repro", "-q")
    (root / "data" / "data.xml").write_text("<posts><row Id='1'/><row Id='2'/></posts>\n")

    stages, dag = dry_plan(root)

    assert stages == ["prepare", "featurize", "train"]  # `dvc repro --dry` alone: prepare
    assert "featurize" in dag


def test_downstream_follows_directories_and_keeps_dvc_yaml_order() -> None:
    graph = {
        "a": (["raw"], ["out/x"]),
        "b": (["out"], ["feat"]),
        "c": (["other"], ["c.txt"]),
        "d": (["feat/part.csv"], ["m"]),
    }

    assert downstream(graph, ["a"]) == ["a", "b", "d"]
    assert downstream(graph, ["c"]) == ["c"]
    assert downstream(graph, []) == []
