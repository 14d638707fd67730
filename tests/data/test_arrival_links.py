"""A data-arrival message links to the runs trained on that data and to the CI run that pushed
it (real git, DVC with a directory remote, MLflow; the message read through slack_sdk)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from retrigger.notify.render import render
from tests.conftest import sqlite_rows
from tests.data.test_push_once import _fired_by_new_data
from tests.support.cli import run_cli

UI = "http://127.0.0.1:5999/mlflow"
CI = {
    "GITHUB_SERVER_URL": "http://127.0.0.1:5998",
    "GITHUB_REPOSITORY": "acme/churn",
    "GITHUB_RUN_ID": "77",
}


@pytest.mark.slow
def test_a_data_arrival_links_the_runs_on_its_data_and_the_ci_run(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fired_by_new_data(demo_project)
    monkeypatch.setenv("RETRIGGER_TRACKING__UI_URL", UI)
    for key, value in CI.items():
        monkeypatch.setenv(key, value)

    pushed = run_cli("push", "--config", str(demo_project / "retrigger.yaml"), "--json")

    assert pushed.code == 0, pushed.err
    ((raw,),) = sqlite_rows(
        demo_project / ".retrigger" / "state.db",
        "SELECT payload FROM outbox WHERE kind = 'data_arrival'",
    )
    payload = json.loads(str(raw))
    shown = {
        str(getattr(button.text, "text", "")): str(button.url)
        for block in Block.parse_all(render("data_arrival", payload).blocks)
        if isinstance(block, ActionsBlock)
        for button in block.elements
        if isinstance(button, ButtonElement) and button.url
    }
    assert shown["CI run"] == "http://127.0.0.1:5998/acme/churn/actions/runs/77"
    runs = shown["Runs on this data"]
    assert runs.startswith(f"{UI}/#/experiments/") and urlsplit(runs).netloc == "127.0.0.1:5999"
    assert f"tags.`retrigger.data_version` = '{payload['data_version']}'" in unquote(runs)
