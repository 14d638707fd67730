"""`pipeline.dispatch: github`: a check started by an event that fires is retrained in CI — a
repository_dispatch `retrigger-retrain` with the decision id, sent to a loopback GitHub fake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.events.conftest import PREFIX, Server, start_serve, stop
from tests.support.fake_slack import running_fake_slack

pytestmark = pytest.mark.slow


def configure(repo: Path, api_url: str, mlflow_uri: str) -> None:
    """A schedule that is due: a baseline run recorded now, a max age of one second."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=mlflow_uri)
    run = client.create_run(client.create_experiment("churn"), tags={"retrigger.baseline": "true"})
    client.set_terminated(run.info.run_id)
    path = repo / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["tracking"]["uri"] = mlflow_uri
    config["signals"] = {"schedule": {"max_age": "1s"}}
    config["pipeline"] = {
        "dispatch": "github",
        "github": {"repo": "acme/churn", "api_url": api_url},
    }
    config["events"] = {
        "watch": [{"source": "webhook", "prefix": PREFIX, "data": "data/parts"}],
        "settle": "1h",
    }
    path.write_text(yaml.safe_dump(config))


def test_a_firing_check_after_an_event_is_dispatched_to_github_with_its_decision(
    dvc_repo: Path, mlflow_uri: str
) -> None:
    with running_fake_slack() as github:
        configure(dvc_repo, github.url.removesuffix("/api/"), mlflow_uri)
        server: Server = start_serve(dvc_repo, env={"GITHUB_TOKEN": "ghp-test-token"})
        try:
            server.send(f"{PREFIX}day=1/part-0.csv")
            server.send(f"{PREFIX}day=1/_SUCCESS")
            [(status, _events, decision, error)] = server.wait_settled()
            [call] = github.wait_for("dispatches")
        finally:
            stop(server)

    assert (status, error) == ("checked", None)
    assert call.path == "/repos/acme/churn/dispatches"
    assert call.params == {
        "event_type": "retrigger-retrain",
        "client_payload": {"decision_id": decision},
    }
    assert call.headers["Authorization"] == "Bearer ghp-test-token"
    [(detail,)] = server.rows("SELECT detail FROM audit WHERE action = 'events.settled'")
    assert (
        json.loads(str(detail))["acted"]
        == f"dispatched retrigger-retrain for {decision} to acme/churn"
    )
    assert server.count("SELECT count(*) FROM retrain_attempts") == 0  # nothing ran dvc repro here
