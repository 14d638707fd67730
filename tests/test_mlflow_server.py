"""`retrigger check` and `baseline` against a real `mlflow server` over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrigger.demo import project
from tests.support.cli import run_cli
from tests.support.mlflow_server import MlflowServer

pytestmark = pytest.mark.slow


def test_check_reads_the_baseline_over_http(
    demo_project: Path, mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_TRACKING__URI", mlflow_server.url)
    monkeypatch.setenv("RETRIGGER_TRACKING__EXPERIMENT", f"http-{demo_project.parent.name}")
    config = str(demo_project / "retrigger.yaml")
    from retrigger.workspace import Workspace

    baseline_id = project.record_baseline(Workspace.load(Path(config)))
    project.degrade(demo_project)
    project.monitor(demo_project)

    shown = run_cli("baseline", "show", "-c", config, "--json")
    checked = run_cli("check", "-c", config, "--json")

    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["run_id"] == baseline_id
    document = json.loads(checked.out)
    assert document["fire"] is True
    assert baseline_id[:8] in document["signals"][0]["detail"]
