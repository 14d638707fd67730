"""One retrain recorded and promoted through a real `mlflow server` over HTTP."""

from __future__ import annotations

import json
import uuid

import pytest

from retrigger.lineage import tags
from tests.support.cli import run_cli
from tests.support.mlflow_server import MlflowServer
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow


def test_retrain_through_an_mlflow_tracking_server(
    retrainable: Retrainable, mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow.tracking import MlflowClient

    experiment = f"churn-{uuid.uuid4().hex[:8]}"  # the server is shared by the session
    monkeypatch.setenv("RETRIGGER_TRACKING__URI", mlflow_server.url)
    monkeypatch.setenv("RETRIGGER_TRACKING__EXPERIMENT", experiment)

    result = run_cli("run", "--config", retrainable.config, "--json")

    assert result.code == 0, result.err
    outcome = json.loads(result.out)
    assert outcome["status"] == "promoted"
    client = MlflowClient(tracking_uri=mlflow_server.url)
    run = client.get_run(outcome["run_id"])
    assert run.data.tags[tags.DECISION_ID] == retrainable.decision_id
    logged = [a.path for a in client.list_artifacts(run.info.run_id, "model")]
    assert "model/MLmodel" in logged  # a real MLflow model, over HTTP too
    champion = client.get_model_version_by_alias("churn", "champion")
    assert str(champion.version) == outcome["model_version"]
    assert champion.tags[tags.DECISION_ID] == retrainable.decision_id
    listed = json.loads(run_cli("history", "--config", retrainable.config, "--json").out)
    assert [r["run_id"] for r in listed] == [outcome["run_id"]]
