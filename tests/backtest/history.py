"""A project with a history to replay: ten commits over fifty days, each a data version (real
``dvc add``) or a metrics update, with the commit time set, and an MLflow store holding a
baseline run (trained on the first version) and one real retrain.

Day  rows  shift  accuracy  what the configured policy does (computed by hand in the tests)
  0  1000    0     0.90     quiet: the baseline's own data
  2  1200    0     0.89     quiet: +200 rows < 500
  4  1400    0     0.78     FIRE performance (0.78 < floor 0.80)
  5  1450    0     0.79     hold cooldown (1 day after a retrain, cooldown 3d)
  9  2100    0     0.85     FIRE volume (+700 rows since day 4's data >= 500)
 10  2200    0     0.86     quiet (+100)
 13  2300    5     0.84     FIRE drift (x shifted by 5: 1 of 2 columns, share 0.5)
 15  (metrics only) 0.75    hold identical-inputs (day 13's data was just trained on)
 18  2350    5     0.87     quiet
 50  2400    5     0.88     FIRE schedule (37 days since day 13 >= 30d)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retrigger.data.versions import data_version, versions
from retrigger.lineage import tags
from retrigger.lineage.status import RetrainStatus
from retrigger.proc import run

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
CONFIG = """\
model: {name: churn, metric: accuracy, metrics_file: metrics.json}
tracking: {uri: "sqlite:///mlflow.db", experiment: churn}
state: {url: "sqlite:///.retrigger/state.db"}
data: [data/train.csv]
signals:
  performance: {min: 0.8}
  schedule: {max_age: 30d}
  volume: {min_new_rows: 500}
  drift: {share: 0.5}
policy: {cooldown: 3d}
"""


@dataclass(frozen=True)
class Step:
    day: int
    rows: int | None  # None: a commit of the metrics file only
    shift: float
    accuracy: float


STEPS = [
    Step(0, 1000, 0, 0.90),
    Step(2, 1200, 0, 0.89),
    Step(4, 1400, 0, 0.78),
    Step(5, 1450, 0, 0.79),
    Step(9, 2100, 0, 0.85),
    Step(10, 2200, 0, 0.86),
    Step(13, 2300, 5, 0.84),
    Step(15, None, 5, 0.75),
    Step(18, 2350, 5, 0.87),
    Step(50, 2400, 5, 0.88),
]


def sh(root: Path, *args: str, when: datetime | None = None) -> str:
    env = {}
    if when is not None:
        env = {"GIT_AUTHOR_DATE": when.isoformat(), "GIT_COMMITTER_DATE": when.isoformat()}
    result = run(args, root, check=False, env=env)
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result.stdout


def write_csv(path: Path, rows: int, shift: float) -> None:
    # A deterministic, evenly spread pattern: versions without a shift never drift.
    lines = ["x,c"] + [f"{((i * 37) % 1000) / 100 + shift:.2f},{'abc'[i % 3]}" for i in range(rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(
    root: Path, mlflow_db: Path, add: Callable[[Path, str], object] | None = None
) -> list[str]:
    """Build the project; return the commit of each step. ``add`` tracks a data version
    (default: DVC 3's own ``dvc add``)."""
    root.mkdir(parents=True)
    sh(root, "git", "init", "-q", "-b", "main")
    sh(root, "dvc", "init", "-q")
    (root / "retrigger.yaml").write_text(CONFIG)
    (root / ".gitignore").write_text(".retrigger/\nmlflow.db\nmlartifacts/\n")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "project", when=T0 - timedelta(days=3))
    shas = []
    for step in STEPS:
        when = T0 + timedelta(days=step.day)
        if step.rows is not None:
            write_csv(root / "data" / "train.csv", step.rows, step.shift)
            (add or _dvc_add)(root, "data/train.csv")
        (root / "metrics.json").write_text(json.dumps({"accuracy": step.accuracy}))
        sh(root, "git", "add", "-A")
        sh(root, "git", "commit", "-q", "-m", f"day {step.day}", when=when)
        shas.append(sh(root, "git", "rev-parse", "HEAD").strip())
    shutil.copyfile(mlflow_db, root / "mlflow.db")
    _record_runs(root, shas)
    return shas


def _dvc_add(root: Path, path: str) -> None:
    """Real ``dvc add``, in this process: the CLI costs 5 s a call on a loaded machine."""
    from dvc.repo import Repo

    with contextlib.redirect_stdout(io.StringIO()), Repo(str(root)) as repo:
        repo.add(str(root / path))


def _record_runs(root: Path, shas: list[str]) -> None:
    """The baseline run (day 0's data, an hour before it landed) and one real retrain."""
    from mlflow.tracking import MlflowClient

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    client = MlflowClient(f"sqlite:///{root / 'mlflow.db'}")
    experiment = client.create_experiment(
        "churn", artifact_location=(root / "mlartifacts").as_uri()
    )
    first = versions(root, ["data/train.csv"], shas[0])
    _run(
        client,
        experiment,
        T0 - timedelta(hours=1),
        0.90,
        {
            tags.BASELINE: "true",
            tags.DATA_VERSION: data_version(first),
            tags.DATA_PATH_PREFIX + "data/train.csv": str(first[0].md5),
        },
    )
    day13 = versions(root, ["data/train.csv"], shas[6])
    _run(
        client,
        experiment,
        T0 + timedelta(days=13, hours=2),
        0.91,
        {
            tags.RETRAIN: "true",
            tags.STATUS: RetrainStatus.PROMOTED,
            tags.GIT_COMMIT: shas[6],
            tags.DATA_VERSION: data_version(day13),
            tags.DATA_PATH_PREFIX + "data/train.csv": str(day13[0].md5),
        },
    )


def _run(
    client: object, experiment: str, when: datetime, accuracy: float, run_tags: dict[str, str]
) -> None:
    from mlflow.tracking import MlflowClient

    assert isinstance(client, MlflowClient)
    millis = int(when.timestamp() * 1000)
    run = client.create_run(experiment, start_time=millis, tags=run_tags)
    client.log_metric(run.info.run_id, "accuracy", accuracy, timestamp=millis)
    client.set_terminated(run.info.run_id, end_time=millis + 1000)


def copy(template: Path, target: Path) -> Path:
    return Path(shutil.copytree(template, target, symlinks=True))
