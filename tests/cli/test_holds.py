"""Holds that mean what they say, on the demo project with a real state store and MLflow:
cooldown and budget count retrains that started (attempts), a fired decision nobody ran is
superseded by the next one, and a retrain awaiting approval (or approved, not yet run) holds new
firing decisions as ``in-flight`` naming it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.approvals import flow as approval_flow
from retrigger.commands.check import check
from retrigger.decision import Decision
from retrigger.demo import project
from retrigger.store import approvals, attempts, decisions
from retrigger.workspace import Workspace, utc_now
from tests.conftest import sqlite_rows
from tests.support.dvcrepo import sh
from tests.support.workspaces import Clock

pytestmark = pytest.mark.slow  # git, dvc add, MLflow


def _workspace(root: Path, **policy: Any) -> tuple[Workspace, Clock]:
    """New data committed, the schedule overdue (31 days on): every check fires."""
    project.degrade(root)
    config_file = root / "retrigger.yaml"
    config: dict[str, Any] = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["policy"].update(policy)
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    workspace = Workspace.load(config_file)
    clock = Clock(utc_now() + timedelta(days=31))
    workspace.clock = clock
    return workspace, clock


def _start_attempt(workspace: Workspace, decision: Decision) -> None:
    now = workspace.clock()
    with workspace.store.transaction() as conn:
        attempts.start(
            conn,
            attempts.new_attempt_id(now),
            decision.id,
            decision.model,
            now,
            pid=1,
            hostname="ci",
            requested_by=None,
            approved_by=None,
        )


def _stored(workspace: Workspace, decision_id: str) -> Decision:
    with workspace.store.transaction() as conn:
        found = decisions.get(conn, decision_id)
    assert found is not None
    return found


def test_a_fired_decision_nobody_ran_is_superseded_not_a_retrain(demo_project: Path) -> None:
    workspace, clock = _workspace(demo_project)
    first = check(workspace)
    clock.advance(minutes=5)  # inside the 1h cooldown

    second = check(workspace)

    assert first.fire and second.fire and second.held_by is None
    old = _stored(workspace, first.id)
    assert (old.fire, old.held_by) == (False, "superseded")
    assert old.hold_detail == f"superseded by {second.id} (fired, never ran)"


def test_cooldown_and_budget_count_retrains_that_started(demo_project: Path) -> None:
    workspace, clock = _workspace(
        demo_project, cooldown="1h", max_retrains={"count": 2, "per": "7d"}
    )
    ran = check(workspace)
    _start_attempt(workspace, ran)
    clock.advance(minutes=5)

    held = check(workspace)
    clock.advance(hours=2)
    unrun = [check(workspace) for _ in range(3)]  # fired, never ran: not retrains
    _start_attempt(workspace, unrun[-1])
    clock.advance(hours=2)
    over_budget = check(workspace)

    assert held.held_by == "cooldown" and "last retrain 5m ago" in (held.hold_detail or "")
    assert all(d.fire for d in unrun)
    assert over_budget.held_by == "budget"
    assert (over_budget.hold_detail or "").startswith("2 retrains in the last 7d (budget 2)")


def test_a_retrain_awaiting_approval_holds_new_ones_as_in_flight(demo_project: Path) -> None:
    workspace, clock = _workspace(demo_project, approval="required")
    first = check(workspace)
    with workspace.store.transaction() as conn:  # what `retrigger run` does for it
        approval = approval_flow.request(conn, first, "cli:alice", workspace.config.slack, clock())
    clock.advance(minutes=10)

    waiting = check(workspace)
    with workspace.store.transaction() as conn:
        approvals.answer(conn, approval.id, "cli:bob", True, None, clock())
    approved = check(workspace)

    assert waiting.held_by == "in-flight" and not waiting.fire
    assert f"decision {first.id} is awaiting approval {approval.id}" in (waiting.hold_detail or "")
    assert approved.held_by == "in-flight"
    assert f"was approved ({approval.id}) and has not run yet" in (approved.hold_detail or "")
    assert _stored(workspace, first.id).fire  # the one in flight is not superseded
    db = demo_project / ".retrigger" / "state.db"
    assert sqlite_rows(db, "SELECT COUNT(*) FROM approvals") == [(1,)]  # never asked twice


def test_same_data_is_held_only_while_the_training_stages_inputs_are_unchanged(
    demo_project: Path,
) -> None:
    (demo_project / "params.yaml").write_text("train:\n  alpha: 0.5\n", encoding="utf-8")
    dvc_yaml = demo_project / "dvc.yaml"
    outs = "    outs:\n      - model\n"
    dvc_yaml.write_text(dvc_yaml.read_text().replace(outs, "    params: [train.alpha]\n" + outs))
    sh(demo_project, "dvc", "commit", "-q", "-f", "train")  # record params without a rerun
    sh(demo_project, "git", "add", "-A")
    sh(demo_project, "git", "commit", "-q", "-m", "train reads alpha")
    workspace = Workspace.load(demo_project / "retrigger.yaml")
    clock = Clock(utc_now() + timedelta(days=31))  # schedule fires; the data is the baseline's
    workspace.clock = clock

    same = check(workspace)
    (demo_project / "params.yaml").write_text("train:\n  alpha: 0.9\n", encoding="utf-8")
    clock.advance(minutes=1)
    changed = check(workspace)

    assert (same.fire, same.held_by) == (False, "identical-inputs")
    assert "and the deps and params of stage train are what the model" in (same.hold_detail or "")
    assert changed.fire and changed.held_by is None
