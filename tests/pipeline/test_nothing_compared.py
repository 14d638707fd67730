"""A nothing-to-train message says what the gate compared — nothing, and why — and which champion
stays, like promotion and refusal messages state their comparison; never the metrics file's
number as a "before" (real git, DVC, MLflow on the get-started-like stack)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block, SectionBlock

from retrigger.notify.render import render
from tests.conftest import sqlite_rows
from tests.pipeline.test_nothing_to_train import check, configure, retrain

pytestmark = pytest.mark.slow


def test_a_nothing_to_train_message_says_the_gate_compared_nothing_and_who_stays(
    stack: Path,
) -> None:
    config = configure(stack)
    assert check(config)["fire"] is True
    code, outcome, err = retrain(config)
    assert code == 0 and outcome["status"] == "nothing-to-train", err

    ((raw,),) = sqlite_rows(
        stack / ".retrigger" / "state.db",
        "SELECT payload FROM outbox WHERE kind = 'retrain_nothing_to_train'",
    )
    payload = json.loads(str(raw))
    rendered = render("retrain_nothing_to_train", payload)
    fields = {
        label.strip("*"): value
        for block in Block.parse_all(rendered.blocks)
        if isinstance(block, SectionBlock) and block.fields
        for label, _, value in (str(f.text).partition("\n") for f in block.fields)
    }
    assert fields["Gate"].startswith("not run: `dvc repro` ran no stage (")
    assert "no challenger was built" in fields["Gate"]
    assert fields["Champion"] == "none holds @champion yet"  # none registered on this stack
    assert fields["Verdict"] == "nothing to promote"
    assert "Gate: compared nothing, no challenger was built" in rendered.text
    before = payload.get("metric_before")
    assert "→" not in rendered.text
    assert before is None or f"{before:.4g}" not in json.dumps(rendered.blocks)
