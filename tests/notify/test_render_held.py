"""A retrain held as a candidate (validation.when_incomparable: hold) reads as one, not as a
promotion nor a rejection."""

from __future__ import annotations

from retrigger.notify.render import render
from retrigger.store import outbox


def test_a_held_candidate_says_it_was_not_promoted_and_why() -> None:
    payload = {
        "model": "stack",
        "decision_id": "d-9",
        "status": "held-as-candidate",
    }

    rendered = render(outbox.RETRAIN_HELD, payload)

    assert "held as a registered candidate, not promoted" in rendered.text
    assert "different data" in rendered.text and "retrigger explain d-9" in rendered.text
    assert "promoted version" not in rendered.text
