"""Where a person clicks through from a message: the MLflow run, the CI run, the drift report.

Built when a message is queued (in the CI job, where the CI variables exist), not when it is
delivered (perhaps later, by the bot, where they do not). The environment is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote


def ci_run_url(env: Mapping[str, str]) -> str | None:
    """The CI run this process belongs to: GitHub Actions or GitLab CI, else None."""
    server, repo, run = (
        env.get("GITHUB_SERVER_URL"),
        env.get("GITHUB_REPOSITORY"),
        env.get("GITHUB_RUN_ID"),
    )
    if server and repo and run:
        return f"{server.rstrip('/')}/{repo}/actions/runs/{run}"
    return env.get("CI_PIPELINE_URL") or None


def mlflow_ui(tracking_uri: str, ui_url: str | None) -> str | None:
    """The MLflow UI people can open: ``tracking.ui_url``, else an http(s) tracking URI."""
    base = ui_url or (tracking_uri if tracking_uri.startswith(("http://", "https://")) else None)
    return base.rstrip("/") if base else None


def mlflow_run_url(ui: str | None, experiment_id: str | None, run_id: str | None) -> str | None:
    if not ui or not experiment_id or not run_id:
        return None
    return f"{ui}/#/experiments/{experiment_id}/runs/{run_id}"


def model_version_url(ui: str | None, model: str, version: str | None) -> str | None:
    if not ui or not version:
        return None
    return f"{ui}/#/models/{quote(model, safe='')}/versions/{quote(str(version), safe='')}"


def decision_url(ui: str | None, experiment_id: str | None, decision_id: str | None) -> str | None:
    """The experiment's runs filtered to this decision's (its retrain run, once there is one)."""
    if not ui or not experiment_id or not decision_id:
        return None
    search = f"tags.`retrigger.decision_id` = '{decision_id}'"
    return f"{ui}/#/experiments/{experiment_id}?searchFilter={quote(search, safe='')}"


def data_runs_url(
    ui: str | None, experiment_id: str | None, data_version: str | None
) -> str | None:
    """The experiment's runs that trained on (or hold as baseline) this data version."""
    if not ui or not experiment_id or not data_version:
        return None
    search = f"tags.`retrigger.data_version` = '{data_version}'"
    return f"{ui}/#/experiments/{experiment_id}?searchFilter={quote(search, safe='')}"


@dataclass(frozen=True)
class Where:
    """What a message can link to, known where it is queued: the MLflow UI (``None`` when
    there is none to open), the experiment, the CI run."""

    ui: str | None
    experiment_id: str | None
    ci_run: str | None

    def links(
        self,
        model: str,
        *,
        decision_id: str | None = None,
        run_id: str | None = None,
        version: str | None = None,
        data_version: str | None = None,
    ) -> dict[str, str]:
        """Button label → URL for what a message names; only those that can be built."""
        found = {
            "MLflow run": mlflow_run_url(self.ui, self.experiment_id, run_id),
            f"Registry v{version}": model_version_url(self.ui, model, version),
            "Decision": decision_url(self.ui, self.experiment_id, decision_id),
            "Runs on this data": data_runs_url(self.ui, self.experiment_id, data_version),
            "CI run": self.ci_run,
        }
        return {label: url for label, url in found.items() if url}

    def decision_link(self, decision_id: str, label: str) -> dict[str, str]:
        """One decision's link under ``label`` (another decision than the message's own)."""
        url = decision_url(self.ui, self.experiment_id, decision_id)
        return {label: url} if url else {}


def links(
    *, mlflow_run: str | None = None, ci_run: str | None = None, drift_report: str | None = None
) -> dict[str, str]:
    """The payload's ``links``: button label → URL, only those known."""
    found = {"MLflow run": mlflow_run, "CI run": ci_run, "Drift report": drift_report}
    return {label: url for label, url in found.items() if url}
