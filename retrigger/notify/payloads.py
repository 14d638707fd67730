"""Outbox payloads built from engine objects, so every front door announces things alike."""

from __future__ import annotations

from typing import Any

from retrigger.decision import Decision
from retrigger.store.approvals import Approval


def decision_payload(decision: Decision, links: dict[str, str] | None = None) -> dict[str, Any]:
    drifted = [
        col
        for r in decision.readings
        if r.kind == "drift"
        for col in _strings(r.extra.get("drifted_columns"))
    ]
    return {
        "model": decision.model,
        "decision_id": decision.id,
        "fire": decision.fire,
        "trigger_types": list(decision.trigger_types),
        "held_by": decision.held_by,
        "signals": [reading.as_json() for reading in decision.readings],
        "data_version": decision.data_version,
        "git_commit": decision.git_commit,
        "requested_by": decision.requested_by,
        "reason": decision.reason,
        "created_at": decision.created_at.isoformat(timespec="seconds"),
        "drifted_columns": drifted,
        "links": links or {},
    }


def superseded_payload(newer: Decision, older_id: str, links: dict[str, str]) -> dict[str, Any]:
    """The thread reply of ``older_id``, a fired decision that never ran, replaced by ``newer``."""
    return {
        "model": newer.model,
        "decision_id": older_id,
        "superseded_by": newer.id,
        "trigger_types": list(newer.trigger_types),
        "created_at": newer.created_at.isoformat(timespec="seconds"),
        "links": links,
    }


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def approval_payload(approval: Approval, links: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "links": links or {},
        "model": approval.model,
        "decision_id": approval.decision_id,
        "approval_id": approval.id,
        "status": approval.status,
        "requested_by": approval.requested_by,
        "expires_at": approval.expires_at.isoformat(timespec="seconds"),
        "decided_by": approval.decided_by,
        "decided_at": (
            approval.decided_at.isoformat(timespec="seconds") if approval.decided_at else None
        ),
        "reason": approval.reason,
        "superseded_by": approval.superseded_by,
    }
