"""``policy.mode: cost`` through real ``retrigger check`` runs on the demo's git + DVC project
and its MLflow baseline: staleness accumulates check by check, and fires at the retrain cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.demo.project import sh
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli


def _configure(root: Path, **policy: Any) -> None:
    path = root / "retrigger.yaml"
    document = yaml.safe_load(path.read_text())
    # A volume threshold no check reaches: in cost mode the signals are recorded, not decisive.
    document["signals"]["volume"] = {"min_new_rows": 1_000_000}
    document["policy"] |= policy
    path.write_text(yaml.safe_dump(document))


def _arrive(root: Path, rows: int, accuracy: float) -> None:
    """``rows`` more rows in data/train.csv (a new DVC version) and a monitor's new accuracy."""
    data = root / "data" / "train.csv"
    lines = data.read_text().splitlines(keepends=True)
    data.write_text("".join(lines) + "".join(lines[1 : rows + 1]))
    sh(root, "dvc", "add", "-q", "data/train.csv")
    (root / "metrics.json").write_text(json.dumps({"accuracy": accuracy}))


def _check(root: Path) -> dict[str, Any]:
    result = run_cli("check", "-c", str(root / "retrigger.yaml"), "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def _cost(document: dict[str, Any]) -> dict[str, Any]:
    (reading,) = [s for s in document["signals"] if s["kind"] == "cost"]
    return dict(reading)


def test_three_checks_fire_when_the_staleness_summed_by_hand_reaches_the_retrain_cost(
    demo_project: Path,
) -> None:
    fresh = json.loads((demo_project / "metrics.json").read_text())["accuracy"]  # the baseline's
    _configure(demo_project, mode="cost", cost={"retrain": 30, "staleness": 1}, cooldown="0s")

    # By hand: rows since the previous check × 1 per row × accuracy lost against the baseline.
    _arrive(demo_project, 100, fresh - 0.10)  # 100 × 0.10 = 10 → 10 < 30
    first = _check(demo_project)
    _arrive(demo_project, 50, fresh - 0.20)  # 50 × 0.20 = 10 → 20 < 30
    second = _check(demo_project)
    _arrive(demo_project, 60, fresh - 0.20)  # 60 × 0.20 = 12 → 32 ≥ 30
    third = _check(demo_project)

    assert [d["fire"] for d in (first, second, third)] == [False, False, True]
    assert third["trigger_types"] == ["cost"]
    # The performance signal fired on every check (a 10 % drop > max_drop 5 %): not decisive.
    assert all(d["signals"][0]["fired"] for d in (first, second, third))
    assert [_cost(d)["value"] for d in (first, second, third)] == pytest.approx([10, 20, 32])
    detail = _cost(third)["detail"]
    assert detail.startswith("staleness so far 32 ≥ retrain cost 30 (policy.cost.retrain)")
    assert "60 new rows (volume)" in detail and "baseline run" in detail
    # Each decision keeps its own increment: the sum is auditable from the store alone.
    stored = sqlite_rows(
        demo_project / ".retrigger" / "state.db",
        "SELECT signals FROM decisions ORDER BY created_at",
    )
    increments = [
        next(s["extra"]["increment"] for s in json.loads(str(row[0])) if s["kind"] == "cost")
        for row in stored
    ]
    assert increments == pytest.approx([10, 10, 12])

    explained = run_cli("explain", third["decision_id"], "-c", str(demo_project / "retrigger.yaml"))
    assert explained.code == 0, explained.err
    assert "staleness so far 32 ≥ retrain cost 30" in explained.out


def test_a_model_better_than_fresh_costs_nothing(demo_project: Path) -> None:
    fresh = json.loads((demo_project / "metrics.json").read_text())["accuracy"]
    _configure(demo_project, mode="cost", cost={"retrain": 1, "staleness": 1})
    _arrive(demo_project, 500, fresh + 0.01)

    document = _check(demo_project)

    assert document["fire"] is False and _cost(document)["value"] == 0


def test_mode_cost_without_prices_is_exit_2(demo_project: Path) -> None:
    _configure(demo_project, mode="cost")

    result = run_cli("check", "-c", str(demo_project / "retrigger.yaml"), "--json")

    assert result.code == 2
    assert "policy.mode: cost needs the prices: policy.cost:" in result.err
    assert "Traceback" not in result.err


def _past_retrain(root: Path, seconds: float) -> None:
    """A retrain that trained on the committed data, its repro step taking ``seconds``: what
    the state store holds after one `retrigger run` (written through the store's own API)."""
    from datetime import UTC, datetime

    from retrigger.data.versions import out_version
    from retrigger.lineage.status import RetrainStatus, StepStatus
    from retrigger.store import attempts
    from retrigger.workspace import Workspace

    workspace = Workspace.load(root / "retrigger.yaml")
    md5 = out_version(root, "data/train.csv", "HEAD").md5
    now = datetime.now(UTC)
    facts = {"outputs": {"metric_after": 0.9, "data": [{"path": "data/train.csv", "md5": md5}]}}
    with workspace.store.transaction() as conn:
        attempts.start(
            conn,
            "t-1",
            "d-1",
            "churn",
            now,
            pid=1,
            hostname="h",
            requested_by=None,
            approved_by=None,
        )
        step = attempts.step_started(conn, "t-1", "repro", now)
        attempts.step_finished(conn, step, StepStatus.OK, seconds, None)
        attempts.finish(conn, "t-1", RetrainStatus.PROMOTED, now, facts)


def test_without_a_retrain_cost_c_is_the_past_retrain_s_measured_duration(
    demo_project: Path,
) -> None:
    fresh = json.loads((demo_project / "metrics.json").read_text())["accuracy"]
    _configure(demo_project, mode="cost", cost={"staleness": 1}, cooldown="0s")
    _arrive(demo_project, 100, fresh - 0.10)  # 100 × 0.10 = 10

    unknown = _cost(_check(demo_project))
    _past_retrain(demo_project, 8.0)
    measured = _check(demo_project)

    assert unknown["value"] is None and not unknown["fired"]
    assert "retrain cost unknown: policy.cost.retrain is not set" in unknown["detail"]
    cost = _cost(measured)
    assert cost["threshold"] == 8.0 and cost["fired"] and measured["fire"] is True
    assert "retrain cost 8 (the one past retrain's measured duration" in cost["detail"]
