"""The links of the messages a workspace queues: its MLflow UI and experiment, and the CI run
of this process (``retrigger.notify.links`` builds each URL)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from retrigger.notify.links import Where, ci_run_url, mlflow_ui

if TYPE_CHECKING:
    from retrigger.workspace import Workspace


def where(workspace: Workspace) -> Where:
    """Asks MLflow for the experiment only when there is a UI to link to."""
    settings = workspace.config.tracking
    ui = mlflow_ui(settings.uri, settings.ui_url)
    experiment_id = None
    if ui is not None:
        try:
            experiment_id = workspace.tracking.experiment_id()
        # A link is a help: an MLflow that cannot answer must not stop the message it is on.
        except Exception:
            experiment_id = None
    return Where(ui, experiment_id, ci_run_url(os.environ))


def offline(workspace: Workspace) -> Where:
    """What can be linked without asking MLflow (a git hook must not import it): the CI run,
    and the UI without an experiment."""
    settings = workspace.config.tracking
    return Where(mlflow_ui(settings.uri, settings.ui_url), None, ci_run_url(os.environ))
