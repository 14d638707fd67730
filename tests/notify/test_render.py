"""What people read: one text line (console, notification) and Block Kit per kind."""

from __future__ import annotations

from retrigger.notify.closing import render_closed
from retrigger.notify.render import render
from retrigger.store import outbox


def test_a_data_arrival_shows_the_delta_per_path() -> None:
    delta = {
        "data_version_old": "aaa",
        "data_version_new": "bbb",
        "paths": [
            {
                "path": "data/train.csv",
                "delta": {"rows": 500, "rows_pct": 5.0, "bytes": 12000, "files_added": 0},
            }
        ],
    }
    text = render(
        outbox.DATA_ARRIVAL, {"model": "churn", "data_version": "bbb", "delta": delta}
    ).text
    assert text == (
        "New data for *churn*: version bbb (was aaa)\n• data/train.csv: +500 rows (+5%), +12 kB"
    )


def test_a_fired_trigger_lists_values_against_thresholds() -> None:
    payload = {
        "model": "churn",
        "decision_id": "d-1",
        "trigger_types": ["performance"],
        "signals": [
            {
                "kind": "performance",
                "value": 0.712345,
                "threshold": 0.85,
                "fired": True,
                "detail": "below the floor",
            }
        ],
    }
    rendered = render(outbox.TRIGGER_FIRED, payload)
    assert rendered.text == ("Retrain trigger fired for *churn*: performance (decision d-1)")
    assert rendered.blocks[2]["fields"][0]["text"] == (
        "*performance — FIRED*\n0.7123 vs 0.85\nbelow the floor"
    )


def test_approval_request_has_buttons_and_its_closed_form_has_none() -> None:
    payload = {
        "model": "churn",
        "approval_id": "a-1",
        "requested_by": "UALICE",
        "status": "approved",
        "decided_by": "UBOB",
        "decided_at": "2026-03-15T02:00",
    }
    request = render(outbox.APPROVAL_REQUESTED, payload)
    closed = render_closed(outbox.APPROVAL_REQUESTED, payload, outbox.APPROVAL_DECIDED, payload)
    console = render(outbox.APPROVAL_REQUESTED, payload, slack=False)

    buttons = [b for b in request.blocks if b.get("block_id") == "approval:a-1"]
    assert buttons[0]["type"] == "actions" and request.broadcast
    assert "actions" not in [b["type"] for b in closed.blocks]  # no buttons left
    assert closed.text == (
        "Approval a-1 for *churn* approved by <@UBOB> at "
        "<!date^1773540000^{date_short_pretty} at {time}|2026-03-15 02:00 UTC>"
    )
    assert "requested by UALICE" in console.text and "<@" not in console.text


def test_a_retrain_that_trained_nothing_names_the_skipped_stages_and_no_before_after() -> None:
    payload = {
        "model": "stack",
        "decision_id": "d-7",
        "status": "nothing-to-train",
        "metric": "roc_auc.test",
        "metric_before": 0.85,
        "metric_after": None,
        "repro": "prepare unchanged since dvc.lock; train restored from DVC's run cache",
    }
    rendered = render(outbox.RETRAIN_NOTHING_TO_TRAIN, payload)
    assert rendered.text == (
        "Retrain of *stack* trained nothing (decision d-7): `dvc repro` ran no stage (prepare "
        "unchanged since dvc.lock; train restored from DVC's run cache). No model was built or "
        "registered; these inputs are held as identical-inputs from now on."
    )
    assert "→" not in rendered.text
    assert "nothing to train" in str(rendered.blocks)


def test_a_stale_approval_names_its_approver_as_a_person_on_slack_only() -> None:
    payload = {
        "model": "churn",
        "approval_id": "a-1",
        "status": "stale",
        "decided_by": "UBOB",
        "superseded_by": "a-2",
    }
    slack = render(outbox.APPROVAL_STALE, payload).text
    console = render(outbox.APPROVAL_STALE, payload, slack=False).text

    assert "approved by <@UBOB>" in slack  # Slack shows the mention as Bob's display name
    assert "approved by UBOB" in console
    assert "a new approval a-2 was requested" in slack
    closed = render_closed(outbox.APPROVAL_REQUESTED, payload, outbox.APPROVAL_STALE, payload)
    assert "<@UBOB>" in closed.text
