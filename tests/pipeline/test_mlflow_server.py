"""One retrain recorded and promoted through a real `mlflow server` over HTTP."""

from __future__ import annotations

import json
import uuid

import pytest

from retrigger.lineage import tags
from tests.support.cli import run_cli
from tests.support.flaky_proxy import flaky_proxy
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
    listed = json.loads(run_cli("history", "--config", retrainable.config, "--json").out)["runs"]
    assert [r["run_id"] for r in listed] == [outcome["run_id"]]


CREATE_VERSION = "/api/2.0/mlflow/model-versions/create"


def test_a_lost_registry_answer_makes_one_version(
    retrainable: Retrainable, mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxy forwards the create, the server commits it, the client gets a 504 and MLflow
    retries: the server now holds two versions of one decision. The older one is the champion;
    the other is tagged a duplicate and holds no alias."""
    from mlflow.tracking import MlflowClient

    # The server is shared by the session: a model of its own, so no other test's champion
    # judges this one; a forced decision, since the fixture's was made for `churn`.
    model = f"churn-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("RETRIGGER_MODEL__NAME", model)
    monkeypatch.setenv("RETRIGGER_TRACKING__EXPERIMENT", model)
    with flaky_proxy(mlflow_server.url, {CREATE_VERSION: 1}) as proxy:
        monkeypatch.setenv("RETRIGGER_TRACKING__URI", proxy.url)
        result = run_cli(
            "run", "--config", retrainable.config, "--force", "--reason", "lost answer", "--json"
        )

    assert proxy.forwarded[CREATE_VERSION] == 2  # the retry reached the server
    assert result.code == 0, result.err
    outcome = json.loads(result.out)
    client = MlflowClient(tracking_uri=mlflow_server.url)
    versions = sorted(
        client.search_model_versions(
            f"name = '{model}' and tags.`{tags.DECISION_ID}` = '{outcome['decision_id']}'"
        ),
        key=lambda v: int(v.version),
    )
    oldest, extra = versions  # the server did commit twice
    assert outcome["model_version"] == str(oldest.version)
    assert str(client.get_model_version_by_alias(model, "champion").version) == oldest.version
    assert extra.tags[tags.STATUS] == "duplicate"
    assert not client.get_model_version(model, extra.version).aliases


def test_mlflow_dying_mid_run_is_one_line_naming_the_server_and_the_step(
    retrainable: Retrainable, mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server goes away when the model's artifacts are uploaded: the failure names the
    server and the step, never MLflow's raw request URL with its URL-encoded query."""
    monkeypatch.setenv("RETRIGGER_TRACKING__EXPERIMENT", f"churn-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("RETRIGGER_TRACKING__TIMEOUT", "2s")
    with flaky_proxy(mlflow_server.url, die_on="/api/2.0/mlflow-artifacts/") as proxy:
        monkeypatch.setenv("RETRIGGER_TRACKING__URI", proxy.url)
        result = run_cli("run", "--config", retrainable.config, "--json")

    assert proxy.died.is_set()
    assert result.code == 1
    message = json.loads(result.out)["message"]
    assert f"MLflow tracking server {proxy.url} " in message, message
    assert message.startswith("step ") and "failed" in message
    for raw in ("Max retries", "HTTPConnectionPool", "%", "/api/2.0"):
        assert raw not in message and raw not in result.err
