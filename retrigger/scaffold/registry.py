"""What the project's MLflow already holds: its registered models, the aliases and legacy stages
they are served from, and the metrics its runs log.

``init`` reads it only where reading cannot create or hang: a ``sqlite:///`` file that exists, a
``file:`` store, or an http(s) server that answers ``/health`` within a few seconds. Anything
else is left unread, with the reason said once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.errors import TrackingUnavailable
from retrigger.lineage import tags
from retrigger.lineage.tracking import Tracking, absolute_uri

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

_WAIT = timedelta(seconds=3)  # init asks once; a server that needs longer is read at `check`


@dataclass(frozen=True)
class Registered:
    """One registered model as the registry holds it."""

    name: str
    aliases: tuple[tuple[str, str], ...]  # (alias, version)
    stages: tuple[tuple[str, str], ...]  # (legacy stage, version), stages other than None
    run_ids: frozenset[str]  # the runs its versions came from
    retriggers: bool  # retrigger registered at least one version (tagged with a decision)


@dataclass(frozen=True)
class MlflowFacts:
    models: tuple[Registered, ...]
    run_id: str | None  # the newest run of the project (retrain records left out)
    metrics: tuple[tuple[str, float], ...]  # what that run logged
    run_ids: frozenset[str]  # the project's recent runs
    logs_model: bool  # a run of the project logged a model itself
    unread: str | None = None  # why MLflow was not read


def read_mlflow(root: Path, uri: str, experiment: str | None) -> MlflowFacts:
    """The registry and the newest runs at ``uri``; ``unread`` says why not when it is not read."""
    reason = _unreadable(root, uri)
    if reason is not None:
        return MlflowFacts((), None, (), frozenset(), False, reason)
    tracking = Tracking(absolute_uri(uri, root), experiment or "", _WAIT)
    try:
        client = tracking.client
        runs = _runs(client, experiment)
        models = tuple(_registered(client, name) for name in _names(client))
        logs_model = _logged_a_model(client, runs)
    except TrackingUnavailable as exc:
        return MlflowFacts((), None, (), frozenset(), False, str(exc))
    except Exception as exc:  # a hint source: never a reason for init to fail
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        return MlflowFacts((), None, (), frozenset(), False, f"MLflow at {uri}: {first}")
    newest = runs[0] if runs else None
    metrics = (
        tuple(
            (str(k), float(v)) for k, v in sorted(newest.data.metrics.items()) if math.isfinite(v)
        )
        if newest is not None
        else ()
    )
    return MlflowFacts(
        models,
        str(newest.info.run_id) if newest is not None else None,
        metrics,
        frozenset(str(r.info.run_id) for r in runs),
        logs_model,
    )


def _unreadable(root: Path, uri: str) -> str | None:
    if uri.startswith("sqlite:///"):
        path = Path(absolute_uri(uri, root).removeprefix("sqlite:///"))
        return None if path.is_file() else f"no MLflow store yet ({path.name} does not exist)"
    if uri.startswith(("http://", "https://", "file:")):
        return None
    return f"MLflow at {uri} is not read by init (only sqlite files, file: stores and http)"


def _names(client: MlflowClient) -> list[str]:
    return [str(m.name) for m in client.search_registered_models(max_results=100)]


def _registered(client: MlflowClient, name: str) -> Registered:
    model = client.get_registered_model(name)
    versions = list(client.search_model_versions(f"name = '{name.replace(chr(39), '')}'"))
    stages = tuple(
        (str(v.current_stage), str(v.version))
        for v in sorted(versions, key=lambda v: int(v.version))
        if v.current_stage and str(v.current_stage) not in ("None", "Archived")
    )
    return Registered(
        name,
        tuple(sorted((str(a), str(v)) for a, v in (model.aliases or {}).items())),
        stages,
        frozenset(str(v.run_id) for v in versions if v.run_id),
        any(tags.DECISION_ID in (v.tags or {}) for v in versions),
    )


def _runs(client: MlflowClient, experiment: str | None) -> list[Run]:
    """The project's newest runs: its experiment's when it has one, else every experiment's."""
    found = client.get_experiment_by_name(experiment) if experiment else None
    ids = (
        [found.experiment_id]
        if found is not None
        else [e.experiment_id for e in client.search_experiments(max_results=50)]
    )
    if not ids:
        return []
    runs = client.search_runs(ids, max_results=20, order_by=["attributes.start_time DESC"])
    return [r for r in runs if r.data.tags.get(tags.RETRAIN) != "true"]


def _logged_a_model(client: MlflowClient, runs: list[Run]) -> bool:
    """MLflow 2 records ``log_model`` in a run tag; MLflow 3 keeps logged models apart."""
    if any("mlflow.log-model.history" in r.data.tags for r in runs):
        return True
    ids = {r.info.run_id for r in runs}
    experiments = list({r.info.experiment_id for r in runs})
    if not experiments or not hasattr(client, "search_logged_models"):
        return False
    from mlflow.exceptions import MlflowException

    try:
        logged = client.search_logged_models(experiment_ids=experiments, max_results=50)
    except MlflowException:
        return False  # a server older than the client: no logged models to ask about
    return any(m.source_run_id in ids for m in logged)
