"""Block Kit as Slack renders it: header, fields with units, context, links, truncation; every
payload validated against Slack's limits with slack_sdk's own block models."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from retrigger.notify import blocks as bk
from retrigger.notify.closing import render_closed
from retrigger.notify.links import ci_run_url, links, mlflow_run_url, mlflow_ui
from retrigger.notify.render import render
from retrigger.store import outbox

SIGNALS = [
    {"kind": "schedule", "value": 0.0001, "threshold": 30.0, "fired": False, "detail": "young"},
    {"kind": "drift", "value": 0.4, "threshold": 0.3, "fired": True, "detail": "4 of 10"},
    {"kind": "volume", "value": 3500.0, "threshold": 1000.0, "fired": True, "detail": "rows"},
    {"kind": "performance", "value": 0.712345, "threshold": 0.85, "fired": True, "detail": "low"},
]


def validated(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()  # raises SlackObjectFormationError past a limit
    return blocks


def fired(**extra: Any) -> dict[str, Any]:
    return {
        "model": "churn",
        "decision_id": "d-20260315T020000-9f3a1c",
        "data_version": "abc123",
        "git_commit": "0123456789abcdef",
        "created_at": "2026-03-15T02:00:00+00:00",
        "trigger_types": ["drift", "volume", "performance"],
        "signals": SIGNALS,
        **extra,
    }


def test_a_fired_trigger_has_a_header_fields_with_units_and_a_context() -> None:
    blocks = validated(render(outbox.TRIGGER_FIRED, fired()).blocks)

    assert blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "churn: retrain triggered by drift, volume, performance",
        },
    }
    texts = [f["text"] for f in blocks[2]["fields"]]
    assert texts[0] == "*schedule — ok*\n8.6 s vs 30 d\nyoung"
    assert texts[1].startswith("*drift — FIRED*\n40% of columns vs 30% of columns")
    assert texts[2].startswith("*volume — FIRED*\n3,500 rows vs 1,000 rows")
    assert texts[3].startswith("*performance — FIRED*\n0.7123 vs 0.85")
    context = [e["text"] for e in blocks[-1]["elements"]]
    assert context[:3] == [
        "decision `d-20260315T020000-9f3a1c`",
        "data `abc123`",
        "commit `0123456789ab`",
    ]
    assert context[3] == ("<!date^1773540000^{date_short_pretty} at {time}|2026-03-15 02:00 UTC>")


def test_links_become_buttons_and_non_http_links_are_left_out() -> None:
    payload = fired(
        links={
            "MLflow run": "http://127.0.0.1:5000/#/experiments/1/runs/r1",
            "Drift report": "file:///tmp/report.html",
        }
    )
    blocks = validated(render(outbox.TRIGGER_FIRED, payload).blocks)

    actions = [b for b in blocks if b["type"] == "actions"]
    assert [(e["text"]["text"], e["url"]) for e in actions[0]["elements"]] == [
        ("MLflow run", "http://127.0.0.1:5000/#/experiments/1/runs/r1")
    ]


def test_ci_links_from_github_and_gitlab_environments() -> None:
    github = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/churn",
        "GITHUB_RUN_ID": "42",
    }
    assert ci_run_url(github) == "https://github.com/acme/churn/actions/runs/42"
    gitlab = {"CI_PIPELINE_URL": "https://gitlab.example/acme/churn/-/pipelines/7"}
    assert ci_run_url(gitlab) == "https://gitlab.example/acme/churn/-/pipelines/7"
    assert ci_run_url({}) is None
    assert links(ci_run=ci_run_url(github), mlflow_run=None) == {
        "CI run": "https://github.com/acme/churn/actions/runs/42"
    }


def test_mlflow_links_only_for_a_ui_people_can_open() -> None:
    assert mlflow_ui("sqlite:///mlflow.db", None) is None
    assert mlflow_ui("http://127.0.0.1:5000/", None) == "http://127.0.0.1:5000"
    assert mlflow_ui("sqlite:///mlflow.db", "https://mlflow.example") == "https://mlflow.example"
    assert mlflow_run_url("https://mlflow.example", "3", "abc") == (
        "https://mlflow.example/#/experiments/3/runs/abc"
    )
    assert mlflow_run_url(None, "3", "abc") is None


def test_three_hundred_drifted_columns_are_cut_at_a_name_and_counted() -> None:
    columns = [f"feature_with_a_long_name_{i:03d}" for i in range(300)]
    blocks = validated(render(outbox.TRIGGER_FIRED, fired(drifted_columns=columns)).blocks)

    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    listed = next(text for text in sections if text.startswith("*Drifted columns:*"))
    shown = listed.removeprefix("*Drifted columns:* ").split(", … and ")[0].split(", ")
    assert all(name in columns for name in shown)  # whole names only
    assert listed.endswith(f"… and {300 - len(shown)} more columns")
    assert len(listed) <= bk.SECTION_MAX


def test_long_texts_are_clipped_with_an_ellipsis_within_slack_limits() -> None:
    payload = fired(
        model="m" * 300, reason="why " * 2000, signals=[{**SIGNALS[0], "detail": "x " * 3000}] * 12
    )
    blocks = validated(render(outbox.TRIGGER_FIRED, payload).blocks)

    assert blocks[0]["text"]["text"].endswith("…")
    assert sum(len(b.get("fields", [])) for b in blocks) == 12  # two sections of fields


@pytest.mark.parametrize(
    "kind",
    sorted(
        outbox.REPLACES_REQUEST
        | {
            outbox.TRIGGER_FIRED,
            outbox.APPROVAL_REQUESTED,
            outbox.RETRAIN_STARTED,
            outbox.RETRAIN_SUCCEEDED,
            outbox.RETRAIN_FAILED,
            outbox.RETRAIN_REJECTED,
            outbox.DATA_ARRIVAL,
            outbox.EXECUTOR_PROGRESS,
            outbox.DECISION_SUPERSEDED,
            outbox.RETRAIN_NOTHING_TO_TRAIN,
        }
    ),
)
def test_every_kind_renders_valid_blocks_with_a_header(kind: str) -> None:
    payload = fired(
        approval_id="a-1",
        status="approved",
        decided_by="UBOB",
        decided_at="2026-03-15T02:00:00",
        expires_at="2026-03-16T02:00:00.123456",
        metric="auc",
        metric_before=0.81234,
        metric_after=0.85,
        version=3,
        executor="github",
        message="started",
        superseded_by="d-2",
        gate_skipped={"why": "ran no stage", "champion_alias": "champion", "champion_version": "2"},
    )
    blocks = validated(render(kind, payload).blocks)
    assert blocks[0]["type"] == "header"
    closed = render_closed(outbox.APPROVAL_REQUESTED, payload, kind, payload).blocks
    assert validated(closed)[0]["type"] == "header"


def test_expiry_reads_in_the_readers_zone_on_slack_and_in_utc_on_the_console() -> None:
    payload = {
        "model": "churn",
        "approval_id": "a-1",
        "requested_by": "UALICE",
        "expires_at": "2026-03-16T02:00:00.123456+00:00",
    }
    assert "expires <!date^1773626400^" in render(outbox.APPROVAL_REQUESTED, payload).text
    console = render(outbox.APPROVAL_REQUESTED, payload, slack=False).text
    assert "expires 2026-03-16 02:00 UTC." in console
