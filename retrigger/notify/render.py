"""One outbox message → text (console, Slack's notification fallback) and Block Kit blocks.

Blocks read at a glance: a header (model and verdict), the message, each signal's value against
its threshold with units as fields, a context line (decision, data version, commit, local time)
and link buttons (MLflow run, CI run, drift report) when the payload carries ``links``.
Payloads come from several front doors and versions, so every key is optional here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from retrigger.notify import blocks as bk
from retrigger.notify import verdict
from retrigger.notify.arrival import arrival_text
from retrigger.store import outbox
from retrigger.units import format as fmt

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
    blocks = [
        bk.header(f"{payload.get('model') or 'retrigger'}: {headline(kind, payload)}"),
        bk.section(text),
    ]
    if kind == outbox.TRIGGER_FIRED or kind == outbox.APPROVAL_REQUESTED:
        blocks.extend(bk.fields(_signal_fields(payload)))
        drifted = [str(c) for c in payload.get("drifted_columns") or []]
        if drifted:
            blocks.append(
                bk.section(
                    "*Drifted columns:* " + bk.listed(drifted, bk.SECTION_MAX - 40, "columns")
                )
            )
    if kind == outbox.APPROVAL_REQUESTED:
        blocks.append(approval_buttons(str(payload.get("approval_id", ""))))
    gate = payload.get("verdict")
    if isinstance(gate, dict) and kind in (outbox.RETRAIN_SUCCEEDED, outbox.RETRAIN_REJECTED):
        blocks.extend(bk.fields(verdict.gate_fields(gate)))
        text += "\n" + verdict.gate_sentence(gate)
    skipped = payload.get("gate_skipped")
    if isinstance(skipped, dict) and kind == outbox.RETRAIN_NOTHING_TO_TRAIN:
        blocks.extend(bk.fields(verdict.skipped_fields(skipped)))
        text += "\n" + verdict.skipped_sentence(skipped)
    tail = output_tail(payload)
    if tail is not None:
        blocks.append(bk.code(*tail))
        text += "\n" + tail[0] + "\n" + "\n".join(f"    {line}" for line in tail[1])
    links = bk.link_buttons({str(k): str(v) for k, v in (payload.get("links") or {}).items()})
    if links is not None:
        blocks.append(links)
    blocks.append(bk.context(_context(payload)))
    return Rendered(text=text, blocks=blocks, broadcast=kind == outbox.APPROVAL_REQUESTED)


def output_tail(payload: dict[str, Any]) -> tuple[str, list[str]] | None:
    """A failure's cause: the last lines its command printed, titled with the log's path."""
    lines = [str(line) for line in payload.get("output_tail") or []]
    if not lines:
        return None
    step = payload.get("output_step") or "the command"
    log = f" (full log: `{payload['log_path']}`)" if payload.get("log_path") else ""
    return f"*Last lines of {step}*{log}:", lines


_VERDICTS = {
    outbox.APPROVAL_REQUESTED: "approval needed to retrain",
    outbox.RETRAIN_STARTED: "retrain started",
    outbox.RETRAIN_SUCCEEDED: "retrain succeeded",
    outbox.RETRAIN_FAILED: "retrain failed",
    outbox.RETRAIN_REJECTED: "retrain rejected by validation",
    outbox.RETRAIN_NOTHING_TO_TRAIN: "nothing to train",
    outbox.RETRAIN_HELD: "retrain held as a candidate",
    outbox.DATA_ARRIVAL: "new data",
    outbox.EXECUTOR_PROGRESS: "executor update",
    outbox.DECISION_SUPERSEDED: "decision superseded",
}


def headline(kind: str, p: dict[str, Any]) -> str:
    """What happened, for the header: ``retrain triggered by drift``, ``approval expired``."""
    if kind == outbox.TRIGGER_FIRED:
        held = " (held)" if p.get("held_by") else ""
        return f"retrain triggered by {_types(p)}{held}"
    if kind in outbox.REPLACES_REQUEST:
        return f"approval {p.get('status') or kind.removeprefix('approval_')}"
    return _VERDICTS.get(kind, kind.replace("_", " "))


def _signal_fields(p: dict[str, Any]) -> list[tuple[str, str]]:
    """One field per signal: ``value vs threshold`` with units, then why."""
    pairs = []
    for s in p.get("signals") or []:
        kind = str(s.get("kind"))
        mark = (  # a reading that could not be taken is never shown as ok
            "UNKNOWN" if s.get("state") == "unknown" else "FIRED" if s.get("fired") else "ok"
        )
        value = (
            f"{fmt.signal_value(kind, s.get('value'))} vs "
            f"{fmt.signal_value(kind, s.get('threshold'))}"
        )
        detail = f"\n{s['detail']}" if s.get("detail") else ""
        pairs.append((f"{kind} — {mark}", value + detail))
    return pairs


def _context(p: dict[str, Any]) -> list[str]:
    parts = []
    for label, key in (
        ("decision", "decision_id"),
        ("approval", "approval_id"),
        ("data", "data_version"),
        ("commit", "git_commit"),
        ("run", "run_id"),
    ):
        if p.get(key):
            value = str(p[key])
            parts.append(f"{label} `{value[:12] if key in ('git_commit', 'run_id') else value}`")
    when = p.get("decided_at") or p.get("created_at")
    if when:
        parts.append(bk.local_time(str(when)))
    return parts


def approval_buttons(approval_id: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": f"approval:{approval_id}",
        "elements": [
            {
                "type": "button",
                "action_id": APPROVE_ACTION,
                "style": "primary",
                "value": approval_id,
                "text": {"type": "plain_text", "text": "Approve"},
            },
            {
                "type": "button",
                "action_id": REJECT_ACTION,
                "style": "danger",
                "value": approval_id,
                "text": {"type": "plain_text", "text": "Reject"},
            },
        ],
    }


def _g(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return "?" if value is None else str(value)


def _types(payload: dict[str, Any]) -> str:
    return ", ".join(str(t) for t in payload.get("trigger_types") or []) or "none"


def _num(value: object) -> str:
    return fmt.number(value) if isinstance(value, int | float) or value is None else str(value)


def _trigger(p: dict[str, Any], slack: bool) -> str:
    head = (
        f"Retrain trigger fired for *{_g(p, 'model')}*: {_types(p)} "
        f"(decision {_g(p, 'decision_id')})"
    )
    if p.get("requested_by"):
        head += f", requested by {who(p['requested_by'], slack)}"
    if p.get("reason"):
        head += f": {p['reason']}"
    if p.get("held_by"):
        head += f" — held by {p['held_by']}"
    return head


def _approval(p: dict[str, Any], slack: bool) -> str:
    return (
        f"Approval needed to retrain *{_g(p, 'model')}* ({_types(p)}), requested by "
        f"{who(p.get('requested_by'), slack)}"
        + (f" because: {p['request_reason']}" if p.get("request_reason") else "")
        + f"; approval {_g(p, 'approval_id')} expires "
        f"{_when(p.get('expires_at'), slack)}. CLI: `retrigger approve {_g(p, 'approval_id')}`"
    )


def _when(value: object, slack: bool) -> str:
    """A stored ISO time: in the reader's zone on Slack, to the minute in UTC elsewhere."""
    if not value:
        return "?"
    return bk.local_time(str(value)) if slack else fmt.timestamp(str(value))


def _approval_outcome(p: dict[str, Any], slack: bool) -> str:
    status = _g(p, "status")
    approval = _g(p, "approval_id")
    if status == "expired":
        return f"Approval {approval} for *{_g(p, 'model')}* expired without a decision."
    if status == "stale":
        by = f" (approved by {who(p['decided_by'], slack)})" if p.get("decided_by") else ""
        return (
            f"Approval {approval} for *{_g(p, 'model')}*{by} is stale (commit or data moved); "
            f"a new approval {_g(p, 'superseded_by')} was requested."
        )
    reason = f": {p['reason']}" if p.get("reason") else ""
    return (
        f"Approval {approval} for *{_g(p, 'model')}* {status} by "
        f"{who(p.get('decided_by'), slack)} at {_when(p.get('decided_at'), slack)}{reason}"
    )


def _retrain(p: dict[str, Any], slack: bool, verb: str) -> str:
    line = f"Retrain of *{_g(p, 'model')}* {verb} (decision {_g(p, 'decision_id')})"
    metric = p.get("metric") or "metric"
    if p.get("metric_before") is not None or p.get("metric_after") is not None:
        line += f": {metric} {_num(p.get('metric_before'))} → {_num(p.get('metric_after'))}"
        if p.get("compared_on"):
            line += f" ({p['compared_on']})"
    if p.get("version") is not None:
        line += f", promoted version {p['version']}"
    if p.get("error"):
        line += f": {p['error']}"
    return line


def _nothing_to_train(p: dict[str, Any]) -> str:
    """No before → after: no model was built."""
    return (
        f"Retrain of *{_g(p, 'model')}* trained nothing (decision {_g(p, 'decision_id')}): "
        f"`dvc repro` ran no stage ({p.get('repro') or 'no stage report'}). No model was "
        "built or registered; these inputs are held as identical-inputs from now on."
    )


def _superseded(p: dict[str, Any]) -> str:
    newer = f" ({_types(p)})" if p.get("trigger_types") else ""
    return (
        f"Decision {_g(p, 'decision_id')} for *{_g(p, 'model')}* was superseded by decision "
        f"{_g(p, 'superseded_by')}{newer} before it ran: the newer decision retrains for the "
        "same need, on what is there now."
    )


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
    outbox.RETRAIN_NOTHING_TO_TRAIN: lambda p, s: _nothing_to_train(p),
    outbox.RETRAIN_HELD: lambda p, s: (
        f"Retrain of *{_g(p, 'model')}* held as a registered candidate, not promoted "
        f"(decision {_g(p, 'decision_id')}): its number and the champion's come from different "
        f"data; `retrigger explain {_g(p, 'decision_id')}`"
    ),
    outbox.DATA_ARRIVAL: lambda p, s: arrival_text(p),
    outbox.DECISION_SUPERSEDED: lambda p, s: _superseded(p),
    outbox.EXECUTOR_PROGRESS: _progress,
}
