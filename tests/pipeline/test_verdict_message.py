"""Promotion and refusal messages say what the gate compared: both numbers, the champion's
version, the rows they were scored on (real git, DVC, MLflow, sklearn)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block, SectionBlock

from retrigger.notify.render import render
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow


def fields_of(kind: str, payload: dict[str, Any]) -> dict[str, str]:
    """``*label*\\nvalue`` fields as slack_sdk's Block Kit models read them: label → value."""
    found = {}
    for block in Block.parse_all(render(kind, payload).blocks):
        if isinstance(block, SectionBlock) and block.fields:
            for item in block.fields:
                label, _, value = str(getattr(item, "text", "")).partition("\n")
                found[label.strip("*")] = value
    return found


def payloads(project: Retrainable, kind: str) -> list[dict[str, Any]]:
    rows = sqlite_rows(
        project.root / ".retrigger" / "state.db",
        f"SELECT payload FROM outbox WHERE kind = '{kind}' ORDER BY id",
    )
    return [json.loads(str(p)) for (p,) in rows]


def test_a_refusal_states_challenger_champion_version_and_rows(retrainable: Retrainable) -> None:
    promoted = run_cli("run", "--config", retrainable.config, "--json")
    assert promoted.code == 0, promoted.err
    after = json.loads(promoted.out)["metric_after"]
    script = retrainable.root / "train.py"
    script.write_text(script.read_text() + "\n# refactor: no change in behaviour\n")
    sh(retrainable.root, "git", "commit", "-q", "-am", "train.py: a comment")

    refused = run_cli("run", "--config", retrainable.config, "--force", "--reason", "gate")

    assert refused.code == 1
    (succeeded,) = payloads(retrainable, "retrain_succeeded")
    shown = fields_of("retrain_succeeded", succeeded)
    assert shown["Verdict"] == "promoted" and shown["Challenger"] == f"accuracy {after:.4g}"
    (rejected,) = payloads(retrainable, "retrain_rejected")
    shown = fields_of("retrain_rejected", rejected)
    assert shown["Verdict"] == "refused"
    assert shown["Champion v1"].startswith(f"accuracy {after:.4g}")  # the same number: a twin
    assert shown["Challenger"] == f"accuracy {after:.4g}"
    assert "holdout.csv" in shown["Scored on"] and "rows" in shown["Scored on"]
    text = render("retrain_rejected", rejected, slack=False).text
    assert "not better than the model in production" in text and "holdout.csv" in text
