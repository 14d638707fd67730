"""The retrain explained in MLflow's UI: description, name and per-column drift metrics."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from retrigger.decision import Decision, Reading
from retrigger.lineage.description import (
    RetrainFacts,
    describe,
    drift_metrics,
    run_name,
    version_description,
)


def _decision() -> Decision:
    drift = Reading(
        "drift",
        0.4,
        0.3,
        True,
        "2 of 5 columns drifted",
        extra={
            "columns": {
                "age": {"score": 0.31},
                "plan type": {"score": 0.12},
                "odd": {"score": None},
            },
        },
    )
    schedule = Reading("schedule", 2.5, 30.0, False, "young")
    return Decision(
        id="d-20260315T020000-9f3a1c",
        model="churn",
        created_at=datetime(2026, 3, 15, 2, 0, 30, 123456, tzinfo=UTC),
        fire=True,
        wanted=True,
        trigger_types=("drift",),
        held_by=None,
        hold_detail=None,
        readings=(drift, schedule),
        data_version="abc123",
        reason="new quarter",
    )


def test_description_tells_why_with_units_validation_and_data() -> None:
    facts = RetrainFacts(
        metric="auc",
        requested_by="alice",
        approved_by="bob",
        status="promoted",
        validation={
            "passed": True,
            "new": 0.8712,
            "champion": 0.85,
            "champion_version": "3",
            "reason": "auc improved by 0.0212",
        },
        data=[{"path": "data/train.csv", "md5": "0123456789abcdef0123"}],
    )

    text = describe(_decision(), facts)

    assert text.splitlines()[0] == (
        "**Why:** retrain of `churn` triggered by drift (decision "
        "`d-20260315T020000-9f3a1c`, 2026-03-15 02:00 UTC)."
    )
    assert "| drift | 40% of columns | 30% of columns | yes |" in text
    assert "| schedule | 2 d 12 h | 30 d | no |" in text
    assert (
        "**Validation passed:** challenger auc 0.8712 vs champion v3 0.85 — auc improved by 0.0212"
    ) in text
    assert "`data/train.csv` md5 `0123456789ab`" in text
    assert "**Who:** requested by alice, approved by bob." in text
    assert "**Reason given:** new quarter" in text


def test_description_before_validation_and_without_a_champion() -> None:
    early = describe(_decision(), RetrainFacts(metric="auc"))
    first = describe(
        _decision(),
        RetrainFacts(
            metric="auc",
            validation={
                "passed": False,
                "new": 0.5,
                "champion": None,
                "reason": "below the floor 0.7",
            },
        ),
    )

    assert "**Validation:** not run yet." in early and "**Data version:** `abc123`" in early
    assert "**Validation refused:** challenger auc 0.5 vs no champion yet" in first


def test_run_name_and_drift_scores_as_metrics() -> None:
    assert run_name("d-1") == "retrain d-1"
    assert drift_metrics(_decision()) == {"drift.age": 0.31, "drift.plan type": 0.12}


def _baseline_verdict() -> dict[str, object]:
    """What the gate stores for the first retrain: no champion, compared with the baseline."""
    return {
        "passed": True,
        "new": 0.8871,
        "champion": 0.8206,
        "champion_version": None,
        "champion_source": "baseline run 1a2b3c4d's own recorded accuracy, on the current data",
        "against": "baseline",
        "data": "data/holdout.csv (1200 rows, md5 89abcdef)",
        "reason": (
            "accuracy 0.8871 vs baseline 0.8206 (baseline run 1a2b3c4d's own recorded "
            "accuracy, on the current data): improvement +0.0665 ≥ required 0.001"
        ),
    }


def test_the_first_retrain_names_the_baseline_never_vnone_and_says_it_once() -> None:
    text = describe(_decision(), RetrainFacts(metric="accuracy", validation=_baseline_verdict()))

    (line,) = [x for x in text.splitlines() if x.startswith("**Validation")]
    assert "vNone" not in text and "None" not in line
    assert line == (
        "**Validation passed:** challenger accuracy 0.8871 vs baseline 0.8206 (baseline run "
        "1a2b3c4d's own recorded accuracy, on the current data) on data/holdout.csv (1200 "
        "rows, md5 89abcdef) — improvement +0.0665 ≥ required 0.001"
    )
    assert line.count("0.8871") == 1 and line.count("0.8206") == 1


def test_a_forced_retrain_says_who_forced_it_and_why_not_a_stale_signal_table() -> None:
    forced = replace(
        _decision(), trigger_types=("manual",), requested_by="UALICE", reason="new quarter"
    )

    text = describe(
        forced, RetrainFacts(metric="auc", requested_by="UALICE", names={"UALICE": "Alice"})
    )

    assert text.splitlines()[0].startswith(
        "**Why:** retrain of `churn` forced by Alice (UALICE): new quarter (decision "
    )
    assert "| drift |" not in text and "| signal |" not in text


def test_a_failed_retrain_states_its_cause_instead_of_validation_not_run_yet() -> None:
    facts = RetrainFacts(
        metric="auc",
        status="failed",
        error="`dvc repro` exited 255",
        failure_lines=["Traceback ...", "MemoryError: out of memory while fitting"],
    )

    text = describe(_decision(), facts)

    assert "not run yet" not in text
    assert (
        "**Failed:** `dvc repro` exited 255 Last output: `MemoryError: out of memory while fitting`"
    ) in text


def test_the_version_description_says_why_it_exists_with_numbers_data_and_names() -> None:
    facts = RetrainFacts(
        metric="accuracy",
        requested_by="cli:root",
        approved_by="UBOB",
        validation=_baseline_verdict(),
        data=[{"path": "data/train.csv", "md5": "0123456789abcdef0123"}],
        names={"cli:root": "Root <root@example.com>", "UBOB": "Bob"},
    )

    text = version_description(_decision(), facts, "run123")

    assert "triggered by drift (decision `d-20260315T020000-9f3a1c`" in text
    assert "challenger accuracy 0.8871 vs baseline 0.8206" in text
    assert "**Data version:** `abc123` (`data/train.csv` md5 `0123456789ab`)" in text
    assert "requested by Root <root@example.com> (cli:root), approved by Bob (UBOB)" in text


def test_a_finished_run_is_named_with_its_outcome() -> None:
    assert run_name("d-1", "rejected-by-validation") == "retrain d-1 · refused"
    assert run_name("d-1", "nothing-to-train") == "retrain d-1 · nothing-to-train"
    assert run_name("d-1", "failed") == "retrain d-1 · failed"
    assert run_name("d-1", "running") == "retrain d-1"
