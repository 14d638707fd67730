"""A small real git + DVC repo with a directory remote, built once per session and copied.

Data: ``data/train.csv`` (100 rows, one file) and ``data/parts/`` (a CSV, a Parquet and a JSON
Lines file: 10 + 20 + 5 rows), both committed and pushed to a directory remote.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from retrigger.proc import run

CONFIG = """\
model:
  name: churn
tracking:
  uri: sqlite:///mlflow.db
  experiment: churn
state:
  url: sqlite:///.retrigger/state.db
data:
  - data/train.csv
  - data/parts
"""


def sh(root: Path, *args: str, check: bool = True) -> str:
    result = run(args, root, check=False)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout + result.stderr


def write_csv(path: Path, start: int, count: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["id,value,label"] + [
        f"{i},{i * 0.5},{'yes' if i % 3 else 'no'}" for i in range(start, start + count)
    ]
    path.write_text("\n".join(lines) + "\n")


def write_parquet(path: Path, count: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": list(range(count)), "x": [i * 1.5 for i in range(count)]}), path)


def write_jsonl(path: Path, count: int) -> None:
    path.write_text("".join(json.dumps({"id": i, "v": i * 2}) + "\n" for i in range(count)))


def build_template(root: Path, remote: Path) -> Path:
    root.mkdir(parents=True)
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "dvc", "init", "-q")
    sh(root, "dvc", "remote", "add", "-d", "local", str(remote))
    (root / "retrigger.yaml").write_text(CONFIG)
    (root / ".gitignore").write_text(".retrigger/\nmlflow.db\n")
    write_csv(root / "data" / "train.csv", 0, 100)
    parts = root / "data" / "parts"
    parts.mkdir()
    write_csv(parts / "a.csv", 0, 10)
    write_parquet(parts / "b.parquet", 20)
    write_jsonl(parts / "c.jsonl", 5)
    sh(root, "dvc", "add", "-q", "data/train.csv", "data/parts")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "first data")
    sh(root, "dvc", "push", "-q")
    return root


def copy_repo(template: Path, remote: Path, target: Path, new_remote: Path) -> Path:
    """A private copy of the repo and of its remote (the DVC config points at the copy)."""
    shutil.copytree(template, target, symlinks=True)
    shutil.copytree(remote, new_remote)
    config = target / ".dvc" / "config"
    config.write_text(config.read_text().replace(str(remote), str(new_remote)))
    return target


def add_rows(root: Path, total: int) -> None:
    """Rewrite data/train.csv with ``total`` rows and ``dvc add`` it (not committed)."""
    write_csv(root / "data" / "train.csv", 0, total)
    sh(root, "dvc", "add", "-q", "data/train.csv")
