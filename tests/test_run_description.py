"""The retrain explained in MLflow's UI: description, name and per-column drift metrics."""

from __future__ import annotations

from datetime import UTC, datetime

from retrigger.decision import Decision, Reading
from retrigger.lineage.description import RetrainFacts, describe, drift_metrics, run_name


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
