"""Every retrain message links to what it names — the MLflow run, the registry version, the
decision, the CI run — and each link opens the configured MLflow UI (real git, DVC, MLflow)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from retrigger.notify.links import Where
from retrigger.notify.render import render
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.retrain import Retrainable

UI = "http://127.0.0.1:5999/mlflow"
CI = {
    "GITHUB_SERVER_URL": "http://127.0.0.1:5998",
    "GITHUB_REPOSITORY": "acme/churn",
    "GITHUB_RUN_ID": "4242",
}


def buttons(kind: str, payload: dict[str, Any]) -> dict[str, str]:
    """The link buttons a person sees, read back through slack_sdk's Block Kit models."""
    parsed = Block.parse_all(render(kind, payload).blocks)
    return {
        str(getattr(button.text, "text", "")): str(button.url)
        for block in parsed
        if isinstance(block, ActionsBlock)
        for button in block.elements
        if isinstance(button, ButtonElement) and button.url
    }


def test_links_are_built_only_for_what_is_known() -> None:
    where = Where(UI, "7", None)
    assert where.links("churn", decision_id="d-1") == {
        "Decision": f"{UI}/#/experiments/7?searchFilter="
        "tags.%60retrigger.decision_id%60%20%3D%20%27d-1%27"
    }
    assert Where(None, None, None).links("churn", run_id="r", version="2", decision_id="d") == {}


@pytest.mark.slow
def test_every_message_of_a_retrain_links_to_the_run_version_decision_and_ci_run(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_TRACKING__UI_URL", UI)
    for key, value in CI.items():
        monkeypatch.setenv(key, value)
    assert run_cli("check", "--config", retrainable.config).code == 0
    result = run_cli("run", "--config", retrainable.config, "--json")
    assert result.code == 0, result.err
    outcome = json.loads(result.out)

    rows = sqlite_rows(
        retrainable.root / ".retrigger" / "state.db",
        "SELECT kind, payload FROM outbox WHERE kind IN ('trigger_fired', 'retrain_started', "
        "'retrain_succeeded') ORDER BY id",
    )
    shown = {str(kind): buttons(str(kind), json.loads(str(p))) for kind, p in rows}

    run_id, version = outcome["run_id"], outcome["model_version"]
    done = shown["retrain_succeeded"]
    assert set(done) == {"MLflow run", f"Registry v{version}", "Decision", "CI run"}
    assert done["CI run"] == "http://127.0.0.1:5998/acme/churn/actions/runs/4242"
    mlflow_links = {k: v for k, v in done.items() if k != "CI run"}
    for url in mlflow_links.values():
        parts = urlsplit(url)
        assert url.startswith(UI + "/#/") and parts.scheme == "http" and parts.netloc
    assert done["MLflow run"].endswith(f"/runs/{run_id}")
    assert done[f"Registry v{version}"] == f"{UI}/#/models/churn/versions/{version}"
    assert outcome["decision_id"] in unquote(done["Decision"])
    assert set(shown["retrain_started"]) == {"Decision", "CI run"}  # no run or version yet
    assert set(shown["trigger_fired"]) == {"Decision", "CI run"}
