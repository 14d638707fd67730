"""One outbox message → text (console, Slack's notification fallback) and Block Kit blocks.

Payloads come from several front doors and versions, so every key is optional here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from retrigger.store import outbox

APPROVE_ACTION, REJECT_ACTION = "retrigger_approve", "retrigger_reject"
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class Rendered:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    broadcast: bool = False  # a thread reply also shown in the channel (approval buttons)


def who(actor: object, slack: bool = True) -> str:
    """``U123`` → ``<@U123>`` in Slack (a mention), the raw name elsewhere."""
    name = str(actor) if actor else "?"
    return f"<@{name}>" if slack and _SLACK_ID.match(name) else name


def render(kind: str, payload: dict[str, Any], slack: bool = True) -> Rendered:
    text = _TEXT.get(kind, _generic)(payload, slack)
    blocks: list[dict[str, Any]] = [_section(text)]
    if kind == outbox.TRIGGER_FIRED or kind == outbox.APPROVAL_REQUESTED:
        signals = _signals(payload)
        if signals:
            blocks.append(_section(signals))
    if kind == outbox.APPROVAL_REQUESTED:
        blocks.append(approval_buttons(str(payload.get("approval_id", ""))))
    return Rendered(text=text, blocks=blocks, broadcast=kind == outbox.APPROVAL_REQUESTED)


def render_closed_request(payload: dict[str, Any]) -> Rendered:
    """The approval request once decided / expired / stale: the buttons are gone."""
    text = _approval_outcome(payload, True)
    return Rendered(text=text, blocks=[_section(text)])


def approval_buttons(approval_id: str) -> dict[str, Any]:
    return {"type": "actions", "block_id": f"approval:{approval_id}", "elements": [
        {"type": "button", "action_id": APPROVE_ACTION, "style": "primary", "value": approval_id,
         "text": {"type": "plain_text", "text": "Approve"}},
        {"type": "button", "action_id": REJECT_ACTION, "style": "danger", "value": approval_id,
         "text": {"type": "plain_text", "text": "Reject"}},
    ]}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


def _g(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return "?" if value is None else str(value)


def _types(payload: dict[str, Any]) -> str:
    return ", ".join(str(t) for t in payload.get("trigger_types") or []) or "none"


def _signals(payload: dict[str, Any]) -> str:
    lines = []
    for s in payload.get("signals") or []:
        mark = "FIRED" if s.get("fired") else "ok"
        lines.append(f"• {s.get('kind')}: {_num(s.get('value'))} vs {_num(s.get('threshold'))} "
                     f"— {mark} ({s.get('detail', '')})")
    return "\n".join(lines)


def _num(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else ("—" if value is None else str(value))


def _trigger(p: dict[str, Any], slack: bool) -> str:
    head = (f"Retrain trigger fired for *{_g(p, 'model')}*: {_types(p)} "
            f"(decision {_g(p, 'decision_id')})")
    if p.get("requested_by"):
        head += f", requested by {who(p['requested_by'], slack)}"
    if p.get("reason"):
        head += f": {p['reason']}"
    if p.get("held_by"):
        head += f" — held by {p['held_by']}"
    return head


def _approval(p: dict[str, Any], slack: bool) -> str:
    return (f"Approval needed to retrain *{_g(p, 'model')}* ({_types(p)}), requested by "
            f"{who(p.get('requested_by'), slack)}; approval {_g(p, 'approval_id')} expires "
            f"{_g(p, 'expires_at')}. CLI: `retrigger approve {_g(p, 'approval_id')}`")


def _approval_outcome(p: dict[str, Any], slack: bool) -> str:
    status = _g(p, "status")
    approval = _g(p, "approval_id")
    if status == "expired":
        return f"Approval {approval} for *{_g(p, 'model')}* expired without a decision."
    if status == "stale":
        return (f"Approval {approval} for *{_g(p, 'model')}* is stale (commit or data moved); "
                f"a new approval {_g(p, 'superseded_by')} was requested.")
    reason = f": {p['reason']}" if p.get("reason") else ""
    return (f"Approval {approval} for *{_g(p, 'model')}* {status} by "
            f"{who(p.get('decided_by'), slack)} at {_g(p, 'decided_at')}{reason}")


def _retrain(p: dict[str, Any], slack: bool, verb: str) -> str:
    line = f"Retrain of *{_g(p, 'model')}* {verb} (decision {_g(p, 'decision_id')})"
    metric = p.get("metric") or "metric"
    if p.get("metric_before") is not None or p.get("metric_after") is not None:
        line += (f": {metric} {_num(p.get('metric_before'))} → "
                 f"{_num(p.get('metric_after'))}")
    if p.get("version") is not None:
        line += f", promoted version {p['version']}"
    if p.get("error"):
        line += f": {p['error']}"
    return line


def _data(p: dict[str, Any], slack: bool) -> str:
    """A data arrival; ``delta`` is ``retrigger delta --json`` (per path) or flat numbers."""
    delta = p.get("delta") or {}
    lines = [f"New data for *{_g(p, 'model')}*: version {_g(p, 'data_version')}"
             + (f" (was {delta['data_version_old']})" if delta.get("data_version_old") else "")]
    for entry in delta.get("paths") or []:
        lines.append(f"• {entry.get('path')}: {_changes(entry.get('delta') or {})}")
    flat = _changes({k: v for k, v in delta.items() if k != "paths"})
    if flat != "no change measured":
        lines.append(f"• {flat}")
    return "\n".join(lines)


def _changes(delta: dict[str, Any]) -> str:
    parts = []
    if isinstance(delta.get("rows"), int):
        pct = delta.get("rows_pct")
        parts.append(f"{delta['rows']:+d} rows" + (f" ({pct:+g}%)" if pct is not None else ""))
    if isinstance(delta.get("bytes"), int):
        parts.append(f"{delta['bytes']:+d} bytes")
    for key in ("files_added", "files_removed", "files_modified", "rows_added", "bytes_added"):
        if delta.get(key):
            parts.append(f"{key.replace('_', ' ')} {delta[key]}")
    return ", ".join(parts) or "no change measured"


def _progress(p: dict[str, Any], slack: bool) -> str:
    return f"Executor {_g(p, 'executor')}: {_g(p, 'message')}"


def _generic(p: dict[str, Any], slack: bool) -> str:
    return f"retrigger: {p}"


_TEXT: dict[str, Any] = {
    outbox.TRIGGER_FIRED: _trigger,
    outbox.APPROVAL_REQUESTED: _approval,
    outbox.APPROVAL_DECIDED: _approval_outcome,
    outbox.APPROVAL_EXPIRED: _approval_outcome,
    outbox.APPROVAL_STALE: _approval_outcome,
    outbox.RETRAIN_STARTED: lambda p, s: _retrain(p, s, "started"),
    outbox.RETRAIN_SUCCEEDED: lambda p, s: _retrain(p, s, "succeeded"),
    outbox.RETRAIN_FAILED: lambda p, s: _retrain(p, s, "FAILED"),
    outbox.RETRAIN_REJECTED: lambda p, s: _retrain(p, s, "rejected by validation"),
    outbox.RETRAIN_BUSY: lambda p, s: _retrain(p, s, "postponed"),
    outbox.DATA_ARRIVAL: _data,
    outbox.EXECUTOR_PROGRESS: _progress,
}
