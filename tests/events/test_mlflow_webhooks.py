"""A real `mlflow server` (SQL backend) delivering its own signed webhooks to a real
`retrigger serve` on loopback: a version registered and made champion by someone else is in
the audit trail, `history` and `explain` say so, and `baseline: follow-alias` moves the
baseline to the new champion's run."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.events.conftest import MLFLOW_SECRET, Server, start_serve, stop
from tests.support.cli import run_cli
from tests.support.mlflow_server import MlflowServer, start_mlflow_server

pytestmark = pytest.mark.slow

# MLflow delivers webhooks to public https URLs only; these two documented overrides
# (mlflow/environment_variables.py) let it reach the loopback endpoint, in this test only.
LOOPBACK_WEBHOOKS = {
    "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
}


@pytest.fixture
def registry_server(tmp_path: Path, mlflow_db_template: Path) -> Iterator[MlflowServer]:
    db = tmp_path / "registry" / "server.db"
    db.parent.mkdir()
    shutil.copyfile(mlflow_db_template, db)
    with start_mlflow_server(db, db.parent / "artifacts", env=LOOPBACK_WEBHOOKS) as server:
        yield server


@pytest.fixture
def served(dvc_repo: Path, registry_server: MlflowServer) -> Iterator[Server]:
    path = dvc_repo / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["tracking"]["uri"] = registry_server.url
    config["model"]["metric"] = "accuracy"
    config["events"] = {"baseline": "follow-alias"}
    path.write_text(yaml.safe_dump(config))
    server = start_serve(dvc_repo)
    yield server
    stop(server)


def wait_for(
    server: Server, sql: str, count: int, timeout: float = 60.0
) -> list[tuple[object, ...]]:
    deadline = time.monotonic() + timeout
    while True:
        rows = server.rows(sql)
        if len(rows) >= count:
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"{sql} has {rows}\n{''.join(server.log)}")
        threading.Event().wait(0.2)


def test_a_version_made_champion_outside_retrigger_is_heard_shown_and_followed(
    served: Server, registry_server: MlflowServer
) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=registry_server.url, registry_uri=registry_server.url)
    client.create_webhook(
        name="retrigger",
        url=f"{served.url}/events/mlflow",
        events=["model_version.created", "model_version_alias.created"],
        secret=MLFLOW_SECRET,
    )
    experiment = client.create_experiment("churn")
    run = client.create_run(experiment, tags={"mlflow.user": "alice@example.com"})
    run_id = run.info.run_id
    client.log_metric(run_id, "accuracy", 0.91)
    client.log_text(run_id, "flavors: {}\n", "model/MLmodel")
    client.set_terminated(run_id)
    client.create_registered_model("churn")
    version = client.create_model_version("churn", f"runs:/{run_id}/model", run_id=run_id)
    client.set_registered_model_alias("churn", "champion", version.version)

    heard = wait_for(
        served, "SELECT action, subject, actor FROM audit WHERE action LIKE 'mlflow.%'", 2
    )
    [(status, error)] = wait_for(
        served,
        "SELECT status, error FROM settle_windows WHERE status IN ('checked', 'failed')",
        1,
    )

    assert sorted(heard) == [
        ("mlflow.model_version.created", "models:/churn/1", "mlflow-webhook"),
        ("mlflow.model_version_alias.created", "models:/churn/1", "mlflow-webhook"),
    ]
    assert (status, error) == ("checked", None)
    assert client.get_run(run_id).data.tags["retrigger.baseline"] == "true"
    config = str(served.root / "retrigger.yaml")
    history = run_cli("history", "--trigger", "registry", "-c", config, "--json")
    assert history.code == 0, history.err
    said = [row["reason"] for row in json.loads(history.out)["runs"]]
    assert said == [
        "v1 made champion outside retrigger (v1 registered by alice@example.com; MLflow does "
        "not say who moved the alias)",
        "v1 registered by alice@example.com outside retrigger",
    ]
    story = run_cli("explain", "models:/churn/1", "-c", config)
    assert "v1 made champion outside retrigger" in story.out
