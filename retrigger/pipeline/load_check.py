"""The load check before promotion (``validation.load_check``): a challenger the gate passed is
promoted only once it loaded and predicted in a clean environment built from its own pip
requirements (``retrigger.evaluation.isolated``); otherwise the gate's verdict turns into a
refusal that names what is missing, and the attempt ends refused like any other."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.evaluation import isolated
from retrigger.pipeline.restore import CHALLENGERS

if TYPE_CHECKING:
    from retrigger.pipeline.candidate import Candidate
    from retrigger.pipeline.validation import Verdict
    from retrigger.workspace import Workspace

ENVS = Path(".retrigger") / "envs"  # the clean environments, one per set of requirements


def wanted(ws: Workspace) -> bool:
    validation = ws.config.validation
    return isolated.wanted(validation.load_check if validation else None, os.environ)


def described(ws: Workspace) -> str:
    """What ``run --dry-run`` says the check will do, and why."""
    validation = ws.config.validation
    setting = validation.load_check if validation else None
    if setting is not None:
        return f"{setting} (validation.load_check)"
    return f"{'isolated' if wanted(ws) else 'off'} (validation.load_check unset; $CI " + (
        "set)" if wanted(ws) else "not set)"
    )


def prove(
    ws: Workspace, candidate: Candidate, verdict: Verdict, attempt_id: str
) -> tuple[Verdict, str]:
    """The verdict after the load check, and what the check found (the step's detail)."""
    if not candidate.loadable:
        return verdict, f"not checked: a {candidate.kind} does not load with mlflow.pyfunc"
    model_dir = candidate.local or _download(ws, candidate.source, attempt_id)
    validation = ws.config.validation
    rows = None
    if validation is not None and validation.data and validation.target:
        rows = isolated.Rows(ws.root / validation.data, validation.target)
    found = isolated.check(model_dir, ws.root / ENVS, rows, dict(candidate.needs))
    if found.passed:
        return verdict, found.detail
    refused = replace(verdict, passed=False, reason=f"{found.detail} (the gate: {verdict.reason})")
    return refused, found.detail


def _download(ws: Workspace, source: str, attempt_id: str) -> Path:
    """A model the pipeline logged or registered, as files (its own requirements included)."""
    import mlflow.artifacts

    from retrigger.evaluation.scoring import no_progress_bars

    target = ws.root / CHALLENGERS / attempt_id / "logged-model"
    target.mkdir(parents=True, exist_ok=True)
    with no_progress_bars():
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=source, dst_path=str(target), tracking_uri=ws.tracking.uri
        )
    return Path(local)
