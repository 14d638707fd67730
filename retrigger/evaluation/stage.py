"""Scoring through the project's own evaluate stage (``validation: {stage: NAME}``).

Projects whose model takes the pipeline's own features (a TF-IDF matrix in a pickle) cannot
be scored on raw rows; their evaluate stage can. retrigger runs that stage's command — as DVC
resolves it (``retrigger.dvcyaml``: ``${}``, ``vars:``, ``foreach``), with the interpreter the
pipeline runs with — in a scratch copy of the work tree, once per model file put at the stage's
model dependency, and reads ``model.metric`` from the metrics file the stage writes. The user's
work tree is only read: nothing in it moves.

The champion's model file comes from the registry: the file retrigger logged from
``model.artifact`` (raw, or kept beside the MLflow model under ``ORIGINAL`` when it was logged
with ``model.flavor``). A champion that is only an MLflow model has no such file.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrigger import dvcyaml
from retrigger.errors import BadInput, WorkFailed
from retrigger.metrics_file import read_metric
from retrigger.proc import run

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

ORIGINAL = "original"  # where a flavored model's folder keeps the file the pipeline wrote
_SPLITS = ("test", "val", "valid", "validation", "eval", "holdout", "train", "dev")


@dataclass(frozen=True)
class EvalStage:
    name: str
    commands: tuple[str, ...]  # as DVC resolved them
    wdir: str  # relative to the repository root; "." for the root
    model: str  # the dependency that is model.artifact
    deps: tuple[str, ...]  # the other dependencies (files or folders)
    metrics: tuple[str, ...]  # the metrics files it writes
    data: tuple[str, ...]  # dependencies git does not track: what it evaluates on

    def split(self, key: str) -> str:
        """The rows the number is about, in words: ``split test of data/features``."""
        word = split_word(key)
        data = ", ".join(self.data) or "the committed files"
        return f"split {word} of {data}" if word else data


def split_word(key: str) -> str | None:
    """The split a metric key names (``roc_auc.test`` → ``test``), if it names one."""
    words = [w for w in key.replace("/", ".").split(".") if w.lower() in _SPLITS]
    return words[-1] if words else None


def resolve(root: Path, name: str, artifact: str | None) -> EvalStage:
    """The stage ``name`` of dvc.yaml as DVC resolves it; BadInput naming what is wrong."""
    document = dvcyaml.load(root)
    found = document.get("stages")
    stages: dict[str, Any] = found if isinstance(found, dict) else {}
    stage = stages.get(name)
    if not isinstance(stage, dict) or not stage.get("cmd"):
        raise BadInput(
            f"validation.stage {name!r} is not a stage of dvc.yaml with a command; stages: "
            f"{', '.join(sorted(stages)) or 'none'}"
        )
    wdir = str(stage.get("wdir") or ".")
    deps = [_relative(wdir, d) for d in _paths(stage.get("deps"))]
    outs = [_relative(wdir, o) for key in ("outs", "metrics") for o in _paths(stage.get(key))]
    metrics = [_relative(wdir, m) for m in _paths(stage.get("metrics"))]
    # A top-level `metrics:` file inside the stage's outputs (example-get-started: `eval`).
    top = [_relative(".", m) for m in _paths(document.get("metrics"))]
    metrics += [m for m in top if any(m == o or m.startswith(o + "/") for o in outs)]
    if not metrics:
        raise BadInput(
            f"validation.stage {name!r} writes no metrics file (no `metrics:` among its "
            f"outputs; it writes {', '.join(outs) or 'nothing'}); name the stage that does"
        )
    model = _relative(".", artifact or "")
    if model not in deps:
        raise BadInput(
            f"validation.stage {name!r} does not depend on model.artifact {artifact!r} "
            f"(deps: {', '.join(deps) or 'none'}); retrigger puts each model there"
        )
    cmd = stage["cmd"]
    commands = [str(c) for c in cmd] if isinstance(cmd, list) else str(cmd).splitlines()
    others = tuple(d for d in deps if d != model)
    return EvalStage(
        name,
        tuple(c for c in commands if c.strip()),
        _relative(".", wdir),
        model,
        others,
        tuple(dict.fromkeys(metrics)),
        tuple(d for d in others if not _tracked(root, d)),
    )


def check(root: Path, name: str, artifact: str | None, key: str) -> list[str]:
    """``config validate``: BadInput when the stage cannot score; a note when its metrics file
    is not there yet to be checked."""
    from retrigger.scaffold.metrics import numeric_keys

    stage = resolve(root, name, artifact)
    found: list[str] = []
    for metrics in stage.metrics:
        path = root / metrics
        if not path.is_file():
            continue
        keys = numeric_keys(path.read_text(encoding="utf-8", errors="replace"))
        if key in keys:
            return []
        found += keys
    if not any((root / m).is_file() for m in stage.metrics):
        return [
            f"validation.stage {name}: {', '.join(stage.metrics)} not written yet, so "
            f"model.metric {key!r} in it is unchecked; run `dvc repro {name}`"
        ]
    raise BadInput(
        f"validation.stage {name!r} writes {', '.join(stage.metrics)} without model.metric "
        f"{key!r} (keys: {', '.join(found) or 'none'}); fix model.metric"
    )


def score(
    root: Path,
    stage: EvalStage,
    model_file: Path,
    key: str,
    timeout: timedelta | None,
    env: Mapping[str, str],
) -> float:
    """``key`` as the stage computes it with ``model_file`` in place, in a scratch copy;
    ``env``: the pipeline interpreter's (``Interpreter.env()``), as ``dvc repro`` gets it."""
    with tempfile.TemporaryDirectory(prefix="retrigger-stage-") as folder:
        scratch = Path(folder)
        _copy_tree(root, stage, scratch)
        _place(model_file, scratch / stage.model)
        for metrics in stage.metrics:  # a stage that writes nothing must not score stale
            (scratch / metrics).unlink(missing_ok=True)
        for command in stage.commands:
            _run_command(scratch, stage, command, timeout, env)
        problems: list[str] = []
        for metrics in stage.metrics:
            try:
                return read_metric(scratch / metrics, key)
            except BadInput as exc:
                problems.append(str(exc).replace(str(scratch) + "/", ""))
    raise WorkFailed(f"stage {stage.name}: {'; '.join(problems)}")


def _run_command(
    scratch: Path,
    stage: EvalStage,
    command: str,
    timeout: timedelta | None,
    interpreter: Mapping[str, str],
) -> None:
    # Its own MLflow logging goes to a scratch store: never into the retrain run or a server.
    env = {
        **interpreter,
        "DVC_ROOT": str(scratch),
        "DVC_STAGE": stage.name,
        "MLFLOW_TRACKING_URI": (scratch / ".retrigger-mlruns").as_uri(),
        "MLFLOW_RUN_ID": "",
    }
    try:
        done = run(
            ["/bin/sh", "-c", command],
            scratch / stage.wdir,
            check=False,
            timeout=timeout.total_seconds() if timeout else None,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise WorkFailed(
            f"stage {stage.name}: `{command}` ran longer than pipeline.stage_timeout"
        ) from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise WorkFailed(
            f"stage {stage.name}: `{command}` exited {done.returncode}: {' | '.join(tail)[:300]}"
        )


def champion_file(
    client: MlflowClient, name: str, version: str, artifact: Path, target: Path
) -> Path | None:
    """The champion's copy of ``artifact`` (the work tree's model file or folder), downloaded
    under ``target``; None when the registry holds only an MLflow model, no such file."""
    from mlflow.artifacts import download_artifacts

    # MLflow draws a progress bar on stderr, between the lines a retrain prints.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    try:
        # Through this client's registry: a models:/ URI would go to MLflow's global one.
        uri = client.get_model_version_download_uri(name, version)
        folder = Path(
            download_artifacts(
                artifact_uri=uri, dst_path=str(target), tracking_uri=client.tracking_uri
            )
        )
    except Exception as exc:  # the version's artifacts are gone, or unreachable
        raise WorkFailed(f"cannot download v{version}: {str(exc)[:200]}") from None
    original = folder / ORIGINAL / artifact.name
    if original.exists():
        return original
    if artifact.is_dir():  # logged as the folder's content: an MLflow model folder or raw
        return folder
    if (folder / "MLmodel").is_file():
        return None  # an MLflow model whose file the pipeline wrote was not kept
    return folder / artifact.name if (folder / artifact.name).is_file() else None


def _copy_tree(root: Path, stage: EvalStage, scratch: Path) -> None:
    """What the stage may read: every file git tracks, as it is in the work tree, and the
    stage's dependencies (the pipeline's outputs git does not track)."""
    listed = run(["git", "ls-files", "-z"], root).stdout.split("\0")
    for name in [n for n in listed if n] + list(stage.deps):
        source = root / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, or a dependency not produced
        _place(source, scratch / name)


def _place(source: Path, target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target, follow_symlinks=False)


def _paths(entries: Any) -> list[str]:
    """The paths of a dvc.yaml list whose items are ``path`` or ``{path: {options}}``."""
    found: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        found.extend([str(entry)] if isinstance(entry, str) else map(str, dict(entry)))
    return found


def _relative(wdir: str, path: str) -> str:
    """``path`` (relative to the stage's ``wdir``) relative to the repository root."""
    return posixpath.normpath(posixpath.join(wdir, path.rstrip("/")))


def _tracked(root: Path, path: str) -> bool:
    return bool(run(["git", "ls-files", "--", path], root, check=False).stdout.strip())
