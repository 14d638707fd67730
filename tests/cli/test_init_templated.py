"""A dvc.yaml that uses DVC's own templating (`vars:`, `${}` paths from params.yaml, a `foreach`
stage) is read as DVC resolves it: `init` writes the resolved model path, `config validate`
accepts it in any spelling DVC accepts, a real `retrigger run` retrains it; a variable that
params.yaml lacks is exit 2 naming it and its line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from retrigger.config import load_config
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh

pytestmark = pytest.mark.slow

DVC_YAML = """\
vars:
  - data_dir: data
stages:
  prepare:
    foreach: [a, b]
    do:
      cmd: python prepare.py ${item}
      deps:
        - ${data_dir}/raw.csv
        - prepare.py
      outs:
        - ${data_dir}/prepared/${item}.csv
  train:
    cmd: python train.py
    deps:
      - ${data_dir}/prepared
      - train.py
    params:
      - train.weight
    outs:
      - ${base.model_dir}/clf-model
    metrics:
      - eval/metrics.json:
          cache: false
artifacts:
  clf:
    path: ${base.model_dir}/clf-model
    type: model
"""

PREPARE = """\
import sys
from pathlib import Path

part = sys.argv[1]
rows = Path("data/raw.csv").read_text().splitlines()[1:]
Path("data/prepared").mkdir(parents=True, exist_ok=True)
Path(f"data/prepared/{part}.csv").write_text("\\n".join(rows[: 10 if part == "a" else 20]))
"""

TRAIN = """\
import json
import pickle
from pathlib import Path

import yaml

params = yaml.safe_load(open("params.yaml"))
rows = sum(len(p.read_text().splitlines()) for p in Path("data/prepared").glob("*.csv"))
Path("model").mkdir(exist_ok=True)
pickle.dump({"rows": rows}, open("model/clf-model", "wb"))
Path("eval").mkdir(exist_ok=True)
Path("eval/metrics.json").write_text(json.dumps({"accuracy": params["train"]["weight"]}))
"""

GITIGNORE = ".retrigger/\n/mlflow.db\n/mlartifacts/\n"


@pytest.fixture
def templated(tmp_path: Path, mlflow_db_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "templated"
    root.mkdir()
    files = {
        "dvc.yaml": DVC_YAML,
        "prepare.py": PREPARE,
        "train.py": TRAIN,
        "params.yaml": yaml.safe_dump({"base": {"model_dir": "model"}, "train": {"weight": 0.7}}),
        "data/raw.csv": "x\n" + "\n".join(str(i) for i in range(30)) + "\n",
        ".gitignore": GITIGNORE,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    shutil.copyfile(mlflow_db_template, root / "mlflow.db")
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "dvc", "init", "-q")
    sh(root, "dvc", "remote", "add", "-q", "-d", "store", str(tmp_path / "remote"))
    sh(root, "dvc", "add", "-q", "data/raw.csv")
    sh(root, "dvc", "repro", "-q")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "templated pipeline")
    monkeypatch.chdir(root)
    return root


def test_init_writes_the_resolved_model_and_a_real_run_retrains_it(templated: Path) -> None:
    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    raw = yaml.safe_load((templated / "retrigger.yaml").read_text())
    assert raw["model"]["artifact"] == "model/clf-model"  # not ${base.model_dir}/clf-model
    assert raw["model"]["metrics_file"] == "eval/metrics.json"
    assert raw["data"] == ["data/raw.csv"]
    validated = run_cli("config", "validate")
    assert validated.code == 0, validated.err

    sh(templated, "git", "add", "-A")
    sh(templated, "git", "commit", "-q", "-m", "retrigger init")
    params = yaml.safe_load((templated / "params.yaml").read_text())
    params["train"]["weight"] = 0.9
    (templated / "params.yaml").write_text(yaml.safe_dump(params))
    sh(templated, "git", "commit", "-q", "-am", "a better model")
    plan = run_cli("run", "--dry-run", "--json")
    ran = run_cli("run", "--force", "--reason", "templated", "--json")

    assert plan.code == 0, plan.err
    assert "train" in json.loads(plan.out)["plan"]["stages"]
    assert ran.code == 0, ran.err
    outcome = json.loads(ran.out)
    assert outcome["status"] == "promoted", outcome


@pytest.mark.parametrize("spelling", ["model//clf-model", "./model/clf-model"])
def test_validate_accepts_the_path_in_any_spelling_dvc_accepts(
    templated: Path, spelling: str
) -> None:
    assert run_cli("init").code == 0
    path = templated / "retrigger.yaml"
    path.write_text(path.read_text().replace("artifact: model/clf-model", f"artifact: {spelling}"))

    validated = run_cli("config", "validate")

    assert validated.code == 0, validated.err
    assert load_config(path).config.model.artifact == "model/clf-model"


def test_the_literal_template_is_refused_with_the_path_it_resolves_to(templated: Path) -> None:
    assert run_cli("init").code == 0
    path = templated / "retrigger.yaml"
    text = path.read_text().replace(
        "artifact: model/clf-model", "artifact: ${base.model_dir}/clf-model"
    )
    path.write_text(text)

    validated = run_cli("config", "validate")

    assert validated.code == 2
    assert "is a DVC template; write the path it resolves to" in validated.err
    assert "model/clf-model" in validated.err


def test_a_variable_params_yaml_lacks_is_exit_2_naming_it_and_its_line(templated: Path) -> None:
    assert run_cli("init").code == 0
    (templated / "params.yaml").write_text(yaml.safe_dump({"train": {"weight": 0.7}}))

    validated = run_cli("config", "validate")
    again = run_cli("init", "--force")

    for result in (validated, again):
        assert result.code == 2
        assert "template variable 'base.model_dir' (dvc.yaml line 21)" in result.err
        assert "Traceback" not in result.err
