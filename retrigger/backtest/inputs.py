"""What ``check`` would have read at a commit: the data versions and the primary metric.

Everything comes from git (``.dvc`` files, ``dvc.lock``, the metrics file at that commit) or
from MLflow's past runs; nothing is read from the work tree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from retrigger.backtest.runs import PastRuns
from retrigger.backtest.walk import Commit
from retrigger.config.models import RetriggerConfig
from retrigger.data.cache import fetch, in_cache
from retrigger.data.versions import OutVersion, data_version, optional_version
from retrigger.errors import RetriggerError
from retrigger.gitutil import show_file
from retrigger.metrics_file import finite_number, parse_metric


@dataclass(frozen=True)
class Point:
    """One commit to replay, with the data it pointed at and the metric it recorded."""

    commit: Commit
    outs: dict[str, OutVersion]  # tracked data paths at this commit
    data_version: str | None
    metric: float | None
    metric_source: str  # where the metric was read, or why it is unknown

    @property
    def md5s(self) -> dict[str, str]:
        return {path: out.md5 for path, out in self.outs.items() if out.md5 is not None}


def read_point(root: Path, config: RetriggerConfig, commit: Commit, past: PastRuns) -> Point:
    outs = {}
    for path in config.data:
        out = optional_version(root, path, commit.sha)
        if out is not None:
            outs[out.path] = out
    version = data_version(outs.values()) if outs else None
    metric, source = _metric(root, config, commit, past)
    return Point(commit, outs, version, metric, source)


def _metric(
    root: Path, config: RetriggerConfig, commit: Commit, past: PastRuns
) -> tuple[float | None, str]:
    model = config.model
    if model.metrics_file:
        where = f"{model.metrics_file}@{commit.sha[:8]}"
        text = show_file(root, commit.sha, model.metrics_file)
        if text is None:
            return None, f"{model.metrics_file} not committed at {commit.sha[:8]}"
        try:
            return parse_metric(text, model.metric, where), where
        except RetriggerError as exc:
            return None, str(exc)
    run = past.metric_run_at(commit.time)
    if run is None:
        return None, f"no MLflow run had logged {model.metric!r} by then"
    try:
        value = finite_number(run.metrics[model.metric], f"{model.metric!r} of run {run.run_id}")
    except RetriggerError as exc:
        return None, str(exc)
    return value, f"run {run.run_id[:8]}"


def fetch_missing(root: Path, wanted: Iterable[tuple[str, str]]) -> str | None:
    """Ask the DVC remote for versions the cache lacks, in one ``dvc fetch``.

    Returns why it failed (the versions stay unknown), None when all is in the cache now.
    """
    missing = sorted({(path, md5) for path, md5 in wanted if not in_cache(root, md5)})
    if not missing:
        return None
    try:
        fetch(root, missing)
    except RetriggerError as exc:
        return str(exc)
    # `dvc fetch` exits 0 when the remote lacks an object too: look at what arrived.
    still = [f"{path}@{md5[:8]}" for path, md5 in missing if not in_cache(root, md5)]
    if still:
        return f"{', '.join(still)} in no DVC cache or remote"
    return None
