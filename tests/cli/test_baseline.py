"""`retrigger baseline set|show` on a real MLflow store."""

from __future__ import annotations

import json
from pathlib import Path

from retrigger.lineage import tags
from retrigger.workspace import Workspace
from tests.support.cli import run_cli


def test_set_moves_the_tag_and_show_reports_it(demo_project: Path) -> None:
    config = demo_project / "retrigger.yaml"
    tracking = Workspace.load(config).tracking
    old = tracking.baseline()
    run = tracking.client.create_run(str(tracking.experiment_id()))
    tracking.client.log_metric(run.info.run_id, "accuracy", 0.93)

    result = run_cli(
        "baseline", "set", run.info.run_id, "--record-data", "-c", str(config), "--json"
    )
    shown = json.loads(run_cli("baseline", "show", "-c", str(config), "--json").out)

    assert result.code == 0, result.err
    assert shown["run_id"] == run.info.run_id and shown["value"] == 0.93
    assert shown["data_version"] is not None
    assert old is not None and tracking.get(old.run_id).tags[tags.BASELINE] == "false"


def test_set_refuses_a_run_without_the_metric(demo_project: Path) -> None:
    config = demo_project / "retrigger.yaml"
    tracking = Workspace.load(config).tracking
    run = tracking.client.create_run(str(tracking.experiment_id()))

    result = run_cli("baseline", "set", run.info.run_id, "-c", str(config))

    assert result.code == 2
    assert "no finite metric 'accuracy'" in result.err


def test_set_refuses_an_unknown_run(demo_project: Path) -> None:
    result = run_cli("baseline", "set", "0" * 32, "-c", str(demo_project / "retrigger.yaml"))

    assert result.code == 2
    assert "does not exist" in result.err
