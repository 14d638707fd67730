"""A CLI that talks when asked, and shows what it holds: what a user sees in the terminal
(the real CLI in-process, stdout piped: 120 columns)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrigger.cli import render
from retrigger.decision import Decision, Reading
from retrigger.demo import project
from retrigger.integrations import ci
from retrigger.integrations.pr_body import pr_body
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli

ID = re.compile(r"d-\d{8}T\d{6}-[0-9a-f]{6}")


def _decisions(root: Path) -> int:
    ((count,),) = sqlite_rows(root / ".retrigger" / "state.db", "SELECT count(*) FROM decisions")
    return int(str(count))


def test_config_show_prints_list_values_rich_markup_would_eat(demo_project: Path) -> None:
    shown = run_cli("config", "show", "-c", str(demo_project / "retrigger.yaml"))

    assert shown.code == 0, shown.err
    (row,) = [line for line in shown.out.splitlines() if " data " in f" {line} "]
    assert "[data/train.csv]" in row  # a list, shown as written


def test_verbose_logs_the_engines_steps_and_very_verbose_the_commands(
    demo_project: Path,
) -> None:
    config = str(demo_project / "retrigger.yaml")

    quiet = run_cli("check", "-c", config)
    verbose = run_cli("-v", "check", "-c", config)
    debug = run_cli("-vv", "check", "-c", config)

    assert "signal performance" not in quiet.err
    assert f"config read from {demo_project / 'retrigger.yaml'}" in verbose.err
    assert re.search(r"state store sqlite:///\S+ opened in", verbose.err)
    assert re.search(r"data version \w+ of data/train.csv \(DVC files at commit", verbose.err)
    assert re.search(r"signal performance: ok, 0\.\d+ against 0\.\d+, read in ", verbose.err)
    assert "signal schedule: ok" in verbose.err and "ran `git" not in verbose.err
    assert re.search(r"ran `git [^`]+` in \S+: exit 0, ", debug.err)


def test_check_dry_run_reads_the_signals_and_stores_nothing(demo_project: Path) -> None:
    config = str(demo_project / "retrigger.yaml")
    assert run_cli("check", "-c", config).code == 0
    stored = _decisions(demo_project)
    project.degrade(demo_project)
    project.monitor(demo_project)

    looked = run_cli("check", "-c", config, "--dry-run")
    document = json.loads(run_cli("check", "-c", config, "--dry-run", "--json").out)

    assert looked.code == 0, looked.err
    assert "RETRAIN: signals fired: performance" in looked.out
    assert "dry run: this decision was not stored" in looked.out
    assert document["schema"] == "retrigger/decision/v1" and document["dry_run"] is True
    assert document["fire"] is True
    assert _decisions(demo_project) == stored


def test_decision_ids_are_never_wrapped_and_explain_has_no_microseconds(
    demo_project: Path,
) -> None:
    config = str(demo_project / "retrigger.yaml")
    project.degrade(demo_project)
    project.monitor(demo_project)
    first = json.loads(run_cli("check", "-c", config, "--json").out)["decision_id"]
    run_cli("check", "-c", config, "--json")

    listed = run_cli("decisions", "-c", config).out
    story = run_cli("explain", first, "-c", config).out

    assert first in listed and len(set(ID.findall(listed))) == 2
    assert re.search(r"created \d{4}-\d\d-\d\d \d\d:\d\d UTC:", story), story
    assert not re.search(r"\d\d:\d\d:\d\d\.\d{6}", story)


def test_a_crowded_table_keeps_ids_whole_at_120_columns(capsys: pytest.CaptureFixture[str]) -> None:
    ids = ["d-20260315T020000-9f3a1c", "d-20260316T020000-0b1c2d"]
    wordy = "held by cooldown: the last retrain started 12 minutes ago; " * 3

    render.table(
        "decisions, newest first",
        ["taken", "decision", "state", "triggers", "held by", "requested by"],
        [["2026-03-15 02:00 UTC", i, "held", "performance, drift", wordy, "a" * 40] for i in ids],
    )

    out = capsys.readouterr().out
    assert all(i in out for i in ids), out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_every_json_document_carries_its_schema(demo_project: Path) -> None:
    config = str(demo_project / "retrigger.yaml")

    for args, schema in (
        (("baseline", "show"), "retrigger/baseline/v1"),
        (("champion", "show"), "retrigger/champion/v1"),
        (("history",), "retrigger/history/v1"),
    ):
        result = run_cli(*args, "-c", config, "--json")
        assert result.code == 0, result.err
        assert json.loads(result.out)["schema"] == schema


def _volume_decision() -> Decision:
    volume = Reading("volume", 12000.0, 10000.0, True, "12,000 rows added")
    schedule = Reading("schedule", 7.0, 30.0, False, "young")
    return Decision(
        id="d-20260315T020000-9f3a1c",
        model="churn",
        created_at=datetime(2026, 3, 15, 2, 0, 30, 123456, tzinfo=UTC),
        fire=True,
        wanted=True,
        trigger_types=("volume",),
        held_by=None,
        hold_detail=None,
        readings=(volume, schedule),
        data_version="abc",
    )


def test_step_summary_and_pr_body_use_the_one_formatter() -> None:
    decision = _volume_decision()
    summary = ci.decision_summary(decision)
    body = pr_body({"decision_id": decision.id, "model": "churn", "decision": decision.as_json()})
    outcome = ci.outcome_summary(
        {
            "decision_id": decision.id,
            "status": "promoted",
            "message": "ok",
            "steps": [{"name": "repro", "status": "ok", "seconds": 125.0, "detail": ""}],
        }
    )

    for text in (summary, body):
        assert "| 12,000 rows | 10,000 rows |" in text and "1e+04" not in text
        assert "| 7 d | 30 d |" in text
    assert "| repro | ok | 2 min 5 s |" in outcome
