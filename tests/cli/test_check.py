"""``retrigger check`` end to end on a real git + DVC project and a real MLflow store."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from retrigger.demo import project
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.mlflow_server import free_port


def _decisions(root: Path) -> list[tuple[object, ...]]:
    db = root / ".retrigger" / "state.db"
    return sqlite_rows(db, "SELECT id, fire FROM decisions") if db.exists() else []


def test_unchanged_data_does_not_fire_and_json_is_one_object(demo_project: Path) -> None:
    result = run_cli("check", "--config", str(demo_project / "retrigger.yaml"), "--json")

    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert set(document) == {
        "schema",
        "decision_id",
        "fire",
        "trigger_types",
        "held_by",
        "hold_detail",
        "signals",
        "data_version",
        "created_at",
        "warnings",
        "fetched",
    }
    assert document["schema"] == "retrigger/decision/v1"
    assert document["warnings"] == [] and document["fetched"] == []
    assert document["fire"] is False
    assert document["held_by"] is None
    assert [s["kind"] for s in document["signals"]] == ["performance", "schedule"]
    assert len(document["data_version"]) == 16
    assert _decisions(demo_project) == [(document["decision_id"], 0)]


def test_degraded_model_fires_on_performance_and_explains_why(demo_project: Path) -> None:
    project.degrade(demo_project)
    project.monitor(demo_project)

    result = run_cli("check", "--config", str(demo_project / "retrigger.yaml"), "--json")

    document = json.loads(result.out)
    assert document["fire"] is True
    assert document["trigger_types"] == ["performance"]
    performance = document["signals"][0]
    assert performance["fired"] is True
    assert performance["value"] < performance["threshold"]
    assert "baseline" in performance["detail"]


def test_github_output_gets_the_step_outputs(
    demo_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "github_output"
    output.write_text("earlier=1\n")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))

    result = run_cli("check", "-c", str(demo_project / "retrigger.yaml"), "--github-output")

    assert result.code == 0, result.err
    lines = output.read_text().splitlines()
    assert lines[0] == "earlier=1"
    assert lines[1] == "retrain=false"
    assert lines[2].startswith("decision_id=d-")
    assert lines[3] == "trigger_types="


def test_github_output_without_the_variable_is_refused_before_deciding(demo_project: Path) -> None:
    result = run_cli("check", "-c", str(demo_project / "retrigger.yaml"), "--github-output")

    assert result.code == 2
    assert "GITHUB_OUTPUT" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert _decisions(demo_project) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "does not exist"),
        ("{not json", "not usable JSON"),
        ('{"f1": 0.9}', "metric 'accuracy' is not in"),
        ('{"accuracy": NaN}', "not a finite number"),
        ('{"accuracy": Infinity}', "not a finite number"),
        ('{"accuracy": "0.9"}', "not a number"),
    ],
)
def test_bad_metrics_file_exits_2_and_stores_nothing(
    demo_project: Path, content: str, message: str
) -> None:
    metrics = demo_project / "metrics.json"
    if content:
        metrics.write_text(content)
    else:
        metrics.unlink()

    result = run_cli("check", "-c", str(demo_project / "retrigger.yaml"))

    assert result.code == 2
    assert message in result.err
    assert result.err.startswith("retrigger: error: ")
    assert len(result.err.strip().splitlines()) == 1
    assert _decisions(demo_project) == []


def test_baseline_without_the_metric_is_refused(demo_project: Path) -> None:
    config = demo_project / "retrigger.yaml"
    config.write_text(config.read_text().replace("metric: accuracy", "metric: f1"))
    (demo_project / "metrics.json").write_text('{"f1": 0.5}')

    result = run_cli("check", "-c", str(config))

    assert result.code == 2
    assert "baseline run" in result.err and "no metric 'f1'" in result.err
    assert _decisions(demo_project) == []


def test_unreachable_tracking_server_gives_up_within_10s(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_TRACKING__URI", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("RETRIGGER_TRACKING__TIMEOUT", "2s")
    started = time.monotonic()

    result = run_cli("check", "-c", str(demo_project / "retrigger.yaml"))

    assert time.monotonic() - started < 10
    assert result.code == 2
    assert "refused the connection" in result.err  # a free port: nothing listens
    assert _decisions(demo_project) == []


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", "--config", str(tmp_path / "nope.yaml"))

    assert result.code == 2
    assert "does not exist" in result.err
