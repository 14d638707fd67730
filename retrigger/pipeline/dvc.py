"""The DVC commands a retrain runs, through ``retrigger.proc``: pull, repro, push (the check
that the remote really holds what was pushed is ``retrigger.data.remote``; which ``dvc repro``
a forced retrain runs is ``retrigger.pipeline.force``)."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from retrigger.data.remote import default_remote
from retrigger.errors import BadInput, ConfigError, WorkFailed
from retrigger.pipeline import dvc_busy
from retrigger.pipeline.dag import downstream, stage_graph
from retrigger.proc import StreamTimeout, run, stream

Say = Callable[[str], None]


def command_args(command: str) -> list[str]:
    try:
        args = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"invalid config key 'pipeline.command': {exc}") from None
    if not args:
        raise ConfigError("invalid config key 'pipeline.command': empty; use e.g. `dvc repro`")
    return args


# Failures whose cause is retrigger's shared run, not the user's code: say how to fix them.
_HINTS = {
    "active experiment ID does not match environment run ID": (
        "the pipeline calls mlflow.set_experiment() with another experiment than "
        "tracking.experiment; set tracking.experiment to the experiment the pipeline uses (or "
        "drop the call: MLFLOW_EXPERIMENT_NAME is exported)"
    ),
    "Run with id=": (
        "the pipeline logs to another tracking server than tracking.uri, where the retrain run "
        "does not exist; set tracking.uri to the pipeline's (MLFLOW_TRACKING_URI is exported)"
    ),
}


def run_streamed(
    args: list[str],
    root: Path,
    say: Say,
    timeout: float | None,
    on_start: Callable[[int], None] | None = None,
    wait_for_dvc: float = 0.0,
    env: dict[str, str] | None = None,
) -> list[str]:
    """Run ``args`` streaming its output to ``say``; return the last lines; WorkFailed on a
    non-zero exit or a timeout, DvcBusy when another DVC process holds the repository's lock
    for longer than ``wait_for_dvc`` seconds."""
    deadline = time.monotonic() + wait_for_dvc
    while True:
        dvc_busy.wait_until_free(root, max(deadline - time.monotonic(), 0.0), say)
        try:
            return _run_once(args, root, say, timeout, on_start, env)
        except _Failed as failed:
            busy = dvc_busy.from_failure(root, failed.output)
            if busy is None:
                raise
            if time.monotonic() >= deadline:  # lost a race for the lock and may not wait
                raise busy from None


class _Failed(WorkFailed):
    def __init__(self, message: str, output: list[str]) -> None:
        super().__init__(message)
        self.output = output


def _run_once(
    args: list[str],
    root: Path,
    say: Say,
    timeout: float | None,
    on_start: Callable[[int], None] | None,
    env: dict[str, str] | None = None,
) -> list[str]:
    tail: list[str] = []

    def line(text: str) -> None:
        tail.append(text)
        del tail[:-40]
        say(text)

    try:
        code = stream(args, root, line, timeout=timeout, on_start=on_start, env=env)
    except StreamTimeout as exc:
        raise WorkFailed(f"{exc} (pipeline.stage_timeout)") from None
    if code != 0:
        last = next((t for t in reversed(tail) if t.strip()), "no output")
        hint = next((h for marker, h in _HINTS.items() if any(marker in t for t in tail)), None)
        raise _Failed(
            f"`{' '.join(args)}` exited {code}: {last.strip()}" + (f"; {hint}" if hint else ""),
            tail,
        )
    return tail


def require_remote(root: Path) -> str:
    remote = default_remote(root)
    if remote is None:
        raise ConfigError(
            "pipeline.push is true but the DVC project has no default remote; "
            "add one with `dvc remote add -d NAME URL` or set pipeline.push: false"
        )
    return remote


def dry_plan(root: Path, forced: Sequence[str] = ()) -> tuple[list[str], str]:
    """Every stage a retrain's ``dvc repro`` will run, and ``dvc dag``; changes nothing.

    ``dvc repro --dry`` names only the stages stale right now: a stage downstream of one is not
    stale until that one has written new outputs. The plan adds every stage downstream of them
    and the ``forced`` ones (``retrigger.pipeline.force``), in ``dvc.yaml`` order."""
    dry = run(["dvc", "repro", "--dry"], root, check=False)
    if dry.returncode != 0:
        last = (dry.stderr.strip().splitlines() or ["no output"])[-1]
        raise BadInput(f"`dvc repro --dry` failed: {last}; fix dvc.yaml")
    stale = [
        line.split("'")[1]
        for line in dry.stdout.splitlines()
        if line.startswith("Running stage '") and line.count("'") >= 2
    ]
    stages = downstream(stage_graph(root), [*stale, *forced])
    dag = run(["dvc", "dag"], root, check=False)
    return stages, dag.stdout.rstrip() if dag.returncode == 0 else dag.stderr.strip()
