"""A project shaped like iterative/example-get-started, for ``validation: {stage: evaluate}``.

prepare → featurize → train → evaluate. ``featurize`` fits a TF-IDF vectoriser on the train
split and pickles the matrices (``data/features/{train,test}.pkl``); ``train`` pickles a
logistic regression; ``evaluate`` (command and deps templated: ``${model}``) reads both
pickles and writes ``eval/metrics.json`` nested per split (``roc_auc.test``). The model takes
the pipeline's own features, so no CSV of rows can score it: only the evaluate stage can
(``validation.data`` cannot work here).

``params.yaml`` ``noise`` flips that share of the training labels (seeded): 0.3 trains a fair
model, 0 a better one, 0.6 one that ranks backwards. The session template has already been
retrained once by retrigger (noise 0.3): registry version 1 is the champion, its dvc.lock
committed.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import yaml

from tests.support.dvcrepo import sh
from tests.support.real_projects import GITIGNORE, copy

PREPARE = """\
from pathlib import Path
import pandas as pd

frame = pd.read_csv("data/data.csv")
Path("data/prepared").mkdir(parents=True, exist_ok=True)
test = frame.index % 4 == 0
frame[~test].to_csv("data/prepared/train.csv", index=False)
frame[test].to_csv("data/prepared/test.csv", index=False)
"""

FEATURIZE = """\
import pickle
from pathlib import Path
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

train = pd.read_csv("data/prepared/train.csv")
test = pd.read_csv("data/prepared/test.csv")
vectorizer = TfidfVectorizer().fit(train["text"])
Path("data/features").mkdir(parents=True, exist_ok=True)
for name, frame in (("train", train), ("test", test)):
    with open(f"data/features/{name}.pkl", "wb") as handle:
        pickle.dump((vectorizer.transform(frame["text"]), frame["label"].to_numpy()), handle)
"""

TRAIN = """\
import pickle
import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

noise = yaml.safe_load(open("params.yaml"))["noise"]
with open("data/features/train.pkl", "rb") as handle:
    features, labels = pickle.load(handle)
flip = np.random.default_rng(11).random(len(labels)) < noise
labels = np.where(flip, 1 - labels, labels)
model = LogisticRegression(max_iter=500).fit(features, labels)
with open("model.pkl", "wb") as handle:
    pickle.dump(model, handle)
"""

EVALUATE = """\
import json
import pickle
import sys
from pathlib import Path
from sklearn.metrics import roc_auc_score

with open(sys.argv[1], "rb") as handle:
    model = pickle.load(handle)
metrics = {"roc_auc": {}}
for split in ("train", "test"):
    with open(f"data/features/{split}.pkl", "rb") as handle:
        features, labels = pickle.load(handle)
    metrics["roc_auc"][split] = roc_auc_score(labels, model.predict_proba(features)[:, 1])
Path("eval").mkdir(exist_ok=True)
Path("eval/metrics.json").write_text(json.dumps(metrics, indent=2))
"""

DVC_YAML = """\
vars:
  - model: model.pkl
artifacts:
  text-classifier: {path: model.pkl, type: model}
stages:
  prepare:
    cmd: python prepare.py
    deps: [data/data.csv, prepare.py]
    outs: [data/prepared]
  featurize:
    cmd: python featurize.py
    deps: [data/prepared, featurize.py]
    outs: [data/features]
  train:
    cmd: python train.py
    deps: [data/features, train.py]
    params: [noise]
    outs: ["${model}"]
  evaluate:
    cmd: python evaluate.py ${model}
    deps: [data/features, "${model}", evaluate.py]
    metrics:
      - eval/metrics.json: {cache: false}
"""

CONFIG = {
    "model": {
        "name": "tfidf",
        "metric": "roc_auc.test",
        "metrics_file": "eval/metrics.json",
        "artifact": "model.pkl",
        "flavor": "sklearn",
    },
    "tracking": {"uri": "sqlite:///mlflow.db", "experiment": "tfidf"},
    "data": ["data/data.csv"],
    "validation": {"stage": "evaluate"},
    "pipeline": {"push": False, "commit": True},
}

GOOD = ["great", "love", "excellent", "fine", "happy"]
BAD = ["awful", "hate", "poor", "broken", "sad"]
PLAIN = [f"word{i}" for i in range(40)]


def text_rows(count: int, seed: int) -> list[str]:
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        label = int(rng.random() < 0.5)
        mood = GOOD if label else BAD
        size = int(rng.integers(5, 12))
        words = [str(rng.choice(mood if rng.random() < 0.25 else PLAIN)) for _ in range(size)]
        rows.append(f"{' '.join(words)},{label}")
    return rows


def build(root: Path, mlflow_db: Path) -> Path:
    """The project after its first `retrigger run` (its first `dvc repro`, champion v1)."""
    from tests.support.cli import run_cli

    root.mkdir(parents=True)
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "dvc", "init", "-q")
    files = {
        ".gitignore": GITIGNORE,
        "retrigger.yaml": yaml.safe_dump(CONFIG, sort_keys=False),
        "dvc.yaml": DVC_YAML,
        "params.yaml": "noise: 0.3\n",
        "prepare.py": PREPARE,
        "featurize.py": FEATURIZE,
        "train.py": TRAIN,
        "evaluate.py": EVALUATE,
        "README.md": "# a text classifier\n",
        "data/data.csv": "\n".join(["text,label", *text_rows(600, seed=7)]) + "\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "mlflow.db").write_bytes(mlflow_db.read_bytes())
    sh(root, "dvc", "add", "-q", "data/data.csv")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "text classifier")
    first = run_cli("run", "--config", str(root / "retrigger.yaml"), "--force", "--reason", "v1")
    assert first.code == 0 and "promoted" in first.out, first.out + first.err
    sh(root, "git", "add", "-A")  # the first eval/metrics.json: the team commits it
    sh(root, "git", "commit", "-q", "-m", "text classifier: first model")
    return root


def features(root: Path, split: str) -> tuple[object, object]:
    with (root / "data" / "features" / f"{split}.pkl").open("rb") as handle:
        found: tuple[object, object] = pickle.load(handle)
    return found


@pytest.fixture(scope="session")
def tfidf_template(tmp_path_factory: pytest.TempPathFactory, mlflow_db_template: Path) -> Path:
    return build(tmp_path_factory.mktemp("tfidf") / "project", mlflow_db_template)


@pytest.fixture
def tfidf(tfidf_template: Path, tmp_path: Path) -> Path:
    return copy(tfidf_template, tmp_path / "project")
