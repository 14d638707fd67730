"""A message redrawn once what it asked or announced is settled (``chat.update``).

The approval request loses its Approve / Reject buttons when the approval is decided, expires
or goes stale; a decision's alert shows how the decision ended (superseded by a newer one,
promoted, refused, failed, nothing to train). The redrawn message keeps what it said — the
signals against their thresholds, the drifted columns — under the outcome, with the outcome's
links beside the original's. The thread reply says the same thing for whoever follows the
thread.
"""

from __future__ import annotations

from typing import Any

from retrigger.notify import blocks as bk
from retrigger.notify.render import Rendered, headline, render


def render_closed(
    original_kind: str,
    original: dict[str, Any],
    kind: str,
    payload: dict[str, Any],
    slack: bool = True,
) -> Rendered:
    """``original`` (the message as first posted) with the outcome ``kind``/``payload`` on top:
    no buttons left to click, the outcome's links added to the original's."""
    outcome = render(kind, payload, slack).text.split("\n", 1)[0]
    before = render(original_kind, original, slack).blocks
    model = payload.get("model") or original.get("model") or "retrigger"
    kept = [b for b in before[1:] if b.get("type") not in ("actions", "context")]
    links = {**_links(original), **_links(payload)}
    blocks = [bk.header(f"{model}: {headline(kind, payload)}"), bk.section(f"*Outcome:* {outcome}")]
    blocks += kept
    buttons = bk.link_buttons(links)
    if buttons is not None:
        blocks.append(buttons)
    blocks += [b for b in before if b.get("type") == "context"]
    return Rendered(text=outcome, blocks=blocks)


def _links(payload: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (payload.get("links") or {}).items()}
