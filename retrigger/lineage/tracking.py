"""MLflow access: the baseline run, the latest metric, the retrain runs.

mlflow is imported inside methods: importing it costs about a second, and hooks and ``--help``
must not pay that.
"""

from __future__ import annotations

import logging
import math
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrigger.errors import BadInput, TrackingUnavailable
from retrigger.lineage import tags
from retrigger.units import format as fmt
from retrigger.units.format import shown_url

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunInfo:
    """The facts retrigger needs from one MLflow run."""

    run_id: str
    started_at: datetime
    metrics: dict[str, float]
    tags: dict[str, str]
    params: dict[str, str]

    @property
    def data_version(self) -> str | None:
        return self.tags.get(tags.DATA_VERSION)


def absolute_uri(uri: str, root: Path) -> str:
    """Make a relative ``sqlite:///file.db`` relative to the config's folder, not the cwd."""
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith("sqlite:////"):
        return prefix + str((root / uri[len(prefix) :]).resolve())
    return uri


class Tracking:
    """One MLflow tracking URI and experiment, with a bounded wait when the server is down."""

    def __init__(
        self,
        uri: str,
        experiment: str,
        timeout: timedelta,
        artifact_location: str | None = None,
        init_lock: Callable[[], AbstractContextManager[None]] | None = None,
    ) -> None:
        self.init_lock = init_lock  # held while a local SQLite store creates its tables
        self.uri = uri
        self.experiment = experiment
        self.timeout = timeout
        self.artifact_location = artifact_location
        self._client: MlflowClient | None = None

    @property
    def client(self) -> MlflowClient:
        if self._client is None:
            self._preflight()
            # MLflow's default HTTP retry policy backs off for over an hour; bound it.
            seconds = max(1, int(self.timeout.total_seconds()))
            os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
            os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
            os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(seconds))
            import mlflow.tracking  # noqa: F401  first: importing mlflow sets its loggers' levels

            # MLflow and alembic announce table creation at INFO on stderr; keep stderr for us.
            for name in ("mlflow", "alembic"):
                logging.getLogger(name).setLevel(logging.WARNING)

            started = time.monotonic()
            if self.init_lock is not None and self.uri.startswith("sqlite:"):
                self._client = _create_tables_once(self.uri, self.init_lock)
            else:
                self._client = _new_client(self.uri)
            took = fmt.duration(time.monotonic() - started)
            log.info("MLflow at %s ready in %s", shown_url(self.uri), took)
        return self._client

    def _preflight(self) -> None:
        if not self.uri.startswith(("http://", "https://")):
            return
        url = self.uri.rstrip("/") + "/health"
        seconds = self.timeout.total_seconds()
        try:
            # The scheme is http(s), checked above.
            with urllib.request.urlopen(url, timeout=seconds) as response:  # noqa: S310
                if response.status == 200:
                    return
                why = f"answered HTTP {response.status} on /health"
        except urllib.error.HTTPError as exc:
            why = f"answered HTTP {exc.code} on /health"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            why = _unreachable(exc, seconds)
        raise TrackingUnavailable(
            f"MLflow tracking server {self.uri} {why}; start it or fix tracking.uri"
        )

    def experiment_id(self, create: bool = False) -> str | None:
        experiment = self.client.get_experiment_by_name(self.experiment)
        if experiment is not None:
            return str(experiment.experiment_id)
        if not create:
            return None
        return str(
            self.client.create_experiment(self.experiment, artifact_location=self.artifact_location)
        )

    def search(self, filter_string: str = "", max_results: int = 1000) -> list[RunInfo]:
        """Runs of the experiment matching ``filter_string``, newest first."""
        experiment_id = self.experiment_id()
        if experiment_id is None:
            return []
        runs = self.client.search_runs(
            [experiment_id],
            filter_string=filter_string,
            max_results=max_results,
            order_by=["attributes.start_time DESC"],
        )
        return [_run_info(run) for run in runs]

    def baseline(self) -> RunInfo | None:
        """The latest run tagged ``retrigger.baseline=true``."""
        found = self.search(f"tags.`{tags.BASELINE}` = 'true'", max_results=1)
        return found[0] if found else None

    def latest_with_metric(self, metric: str) -> RunInfo | None:
        """The newest run that logged ``metric`` (retrain records excluded)."""
        for run in self.search(f"metrics.`{metric}` > -1e308", max_results=50):
            if run.tags.get(tags.RETRAIN) != "true":
                return run
        return None

    def retrains(self) -> list[RunInfo]:
        """Every run recording a retrain, newest first."""
        return self.search(f"tags.`{tags.RETRAIN}` = 'true'")

    def get(self, run_id: str) -> RunInfo:
        from mlflow.exceptions import MlflowException

        try:
            return _run_info(self.client.get_run(run_id))
        except MlflowException:
            raise BadInput(f"MLflow run {run_id!r} does not exist at {self.uri}") from None

    def set_baseline(self, run_id: str, metric: str) -> RunInfo:
        """Make ``run_id`` the baseline; earlier baselines lose the tag."""
        run = self.get(run_id)
        value = run.metrics.get(metric)
        if value is None or not math.isfinite(value):
            raise BadInput(
                f"run {run_id} has no finite metric {metric!r}; pick a run that logged it"
            )
        for previous in self.search(f"tags.`{tags.BASELINE}` = 'true'"):
            if previous.run_id != run_id:
                self.client.set_tag(previous.run_id, tags.BASELINE, "false")
        self.client.set_tag(run_id, tags.BASELINE, "true")
        return self.get(run_id)


def _run_info(run: Run) -> RunInfo:
    data: Any = run.data
    return RunInfo(
        run_id=str(run.info.run_id),
        started_at=datetime.fromtimestamp(run.info.start_time / 1000, tz=UTC),
        metrics={str(k): float(v) for k, v in data.metrics.items()},
        tags={str(k): str(v) for k, v in data.tags.items()},
        params={str(k): str(v) for k, v in data.params.items()},
    )


def _new_client(uri: str) -> MlflowClient:
    from mlflow.tracking import MlflowClient

    # The registry explicitly: never a global one another workspace set in-process.
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _create_tables_once(uri: str, lock: Callable[[], AbstractContextManager[None]]) -> MlflowClient:
    """Open the tracking and registry stores (each runs MLflow's migrations on a new file) under
    ``lock``: two commands started together on a fresh project would both migrate and fail."""
    with lock():
        client = _new_client(uri)
        client.search_experiments(max_results=1)
        client.search_registered_models(max_results=1)
    return client


def _unreachable(exc: Exception, seconds: float) -> str:
    """Refused (nothing listens: start it) and timed out (it or the network hangs) read apart."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        return "refused the connection (nothing listens there)"
    if isinstance(reason, TimeoutError):
        return f"did not answer within {seconds:g}s"
    return f"could not be reached ({str(reason)[:120] or type(reason).__name__})"
