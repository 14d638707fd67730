"""One data version, one decision: ``retrigger push`` with ``hooks.check_on_push`` run twice for
the same data version — one after the other, or two real processes at once — records one
arrival, stores one decision and queues one "Retrain trigger fired" message; the second run
names the decision that already covers the version, and exits 0."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import sqlite_rows
from tests.support.dvcrepo import sh


def _fired_by_new_data(project: Path) -> None:
    """The demo project, pushing to a directory remote, with a volume signal the degraded
    data fires and the check run by every push."""
    from retrigger.demo import project as demo

    sh(project, "dvc", "remote", "add", "-d", "local", str(project.parent / "remote"))
    config = project / "retrigger.yaml"
    text = config.read_text().replace(
        "  schedule: {max_age: 30d}\n",
        "  schedule: {max_age: 30d}\n  volume: {min_new_rows: 1000}\n",
    )
    config.write_text(text + "hooks: {check_on_push: true}\n")
    demo.degrade(project)


def _push_process(project: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "retrigger", "push", "--config", "retrigger.yaml", "--json"]
    return subprocess.Popen(
        command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _state(project: Path, sql: str) -> list[tuple[object, ...]]:
    return sqlite_rows(project / ".retrigger" / "state.db", sql)


def _assert_one_of_each(project: Path, documents: list[dict[str, object]]) -> None:
    decisions = _state(project, "SELECT id, fire FROM decisions")
    assert len(decisions) == 1 and decisions[0][1] == 1, decisions
    decision_id = decisions[0][0]
    assert _state(project, "SELECT count(*) FROM data_arrivals") == [(1,)]
    assert _state(project, "SELECT count(*) FROM outbox WHERE kind = 'trigger_fired'") == [(1,)]
    made = [d for d in documents if d["decision"] is not None]
    covered = [d for d in documents if d["decision"] is None]
    assert len(made) == 1 and len(covered) == 1, documents
    assert made[0]["decision"]["decision_id"] == decision_id  # type: ignore[index]
    assert covered[0]["covered_by"] == decision_id


@pytest.mark.slow
def test_two_pushes_one_after_the_other_store_one_decision(demo_project: Path) -> None:
    _fired_by_new_data(demo_project)

    outputs = []
    for _ in range(2):
        proc = _push_process(demo_project)
        outputs.append((*proc.communicate(timeout=180), proc.returncode))

    assert [code for _, _, code in outputs] == [0, 0], outputs
    _assert_one_of_each(demo_project, [json.loads(out) for out, _, _ in outputs])
    # Said in words too, without --json.
    again = subprocess.run(
        [sys.executable, "-m", "retrigger", "push", "--config", "retrigger.yaml"],
        cwd=demo_project,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "already covers data version" in again.stdout
    assert len(_state(demo_project, "SELECT id FROM decisions")) == 1


@pytest.mark.slow
def test_two_pushes_at_once_store_one_decision(demo_project: Path) -> None:
    _fired_by_new_data(demo_project)
    # The state store exists, as it does after any earlier command (creating it is not raced
    # here: that is the store's own concern).
    subprocess.run(
        [sys.executable, "-m", "retrigger", "status", "--config", "retrigger.yaml"],
        cwd=demo_project,
        capture_output=True,
        timeout=120,
        check=True,
    )

    procs = [_push_process(demo_project) for _ in range(2)]
    outputs = [(*proc.communicate(timeout=180), proc.returncode) for proc in procs]

    assert [code for _, _, code in outputs] == [0, 0], outputs
    _assert_one_of_each(demo_project, [json.loads(out) for out, _, _ in outputs])
