"""The approval workflow: request, decide (authorised, four-eyes, exactly once), expire, and
re-request when the commit or data moved. Every change writes its audit record and its outbox
messages in the caller's transaction, so a state change and its announcement commit together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from retrigger.approvals.approvers import Approvers
from retrigger.config.models import SlackConfig
from retrigger.decision import Decision, new_decision_id
from retrigger.lineage import snapshot
from retrigger.lineage.snapshot import Snapshot
from retrigger.notify.links import Where
from retrigger.notify.payloads import approval_payload, decision_payload
from retrigger.notify.render import who as mention
from retrigger.store import Connection, approvals, audit, decisions, outbox
from retrigger.store.approvals import APPROVED, EXPIRED, PENDING, Approval

if TYPE_CHECKING:
    from retrigger.workspace import Workspace

DECIDED, ALREADY, UNKNOWN = "decided", "already", "unknown"
NOT_APPROVER, SELF_APPROVAL, TOO_LATE = "not-approver", "self-approval", "expired"


@dataclass(frozen=True)
class Result:
    """What a decide attempt did; ``message`` is the one line shown to whoever tried."""

    outcome: str
    approval: Approval | None
    message: str

    @property
    def changed(self) -> bool:
        return self.outcome == DECIDED


def current_snapshot(workspace: Workspace) -> Snapshot:
    """The git commit and data version in the workspace now (what an approval binds to)."""
    return snapshot.current(workspace.root, workspace.config.data)


def request(
    conn: Connection,
    decision: Decision,
    requested_by: str | None,
    slack: SlackConfig,
    now: datetime,
    links: dict[str, str] | None = None,
) -> Approval:
    """Store a pending approval for a fired decision and announce it (once), with the
    requester's reason (``reason`` of the payload is the approver's, once decided)."""
    existing = approvals.for_decision(conn, decision.id)
    if existing is not None:
        return existing
    approval = approvals.request(conn, decision, requested_by, slack.approval_ttl, now)
    payload = {
        **decision_payload(decision, links),
        **approval_payload(approval, links),
        "request_reason": decision.reason,
    }
    outbox.enqueue(
        conn,
        outbox.APPROVAL_REQUESTED,
        payload,
        channel=slack.channel,
        now=now,
        thread_key=decision.id,
    )
    audit.record(
        conn,
        action="approval.requested",
        subject=approval.id,
        actor=requested_by,
        now=now,
        detail={"decision_id": decision.id},
    )
    return approval


def answer(
    conn: Connection,
    approval_id: str,
    actor: str,
    approve: bool,
    reason: str | None,
    now: datetime,
    *,
    slack: SlackConfig,
    approvers: Approvers | None,
    where: Where | None = None,
) -> Result:
    """Approve or reject on behalf of ``actor``; ``approvers`` None means a trusted front door
    (the CLI, whose user can write the state store anyway). Four-eyes applies everywhere."""
    current = approvals.get(conn, approval_id)
    if current is None:
        return Result(UNKNOWN, None, f"no approval {approval_id}; `retrigger status` lists them")
    refusal = _refusal(current, actor, approve, approvers, slack)
    if refusal is not None:
        audit.record(
            conn,
            action="approval.refused",
            subject=approval_id,
            actor=actor,
            now=now,
            detail={"why": refusal[0], "approve": approve},
        )
        return Result(refusal[0], current, refusal[1])
    outcome = approvals.answer(conn, approval_id, actor, approve, reason, now)
    assert outcome is not None
    if outcome.changed:
        verb = "approved" if approve else "rejected"
        audit.record(
            conn,
            action=f"approval.{verb}",
            subject=approval_id,
            actor=actor,
            now=now,
            detail={"decision_id": current.decision_id, "reason": reason},
        )
        _announce(conn, outbox.APPROVAL_DECIDED, outcome.approval, slack, now, where)
        return Result(DECIDED, outcome.approval, f"{verb} {approval_id} ({current.model})")
    if outcome.approval.status == PENDING:  # still pending, so the time ran out
        expire_one(conn, outcome.approval, slack, now, where)
        return Result(
            TOO_LATE,
            approvals.get(conn, approval_id),
            f"approval {approval_id} expired at {_when(current.expires_at)}",
        )
    return Result(ALREADY, outcome.approval, already_message(outcome.approval))


def already_message(approval: Approval, slack: bool = False) -> str:
    """Who won, named as a person: in Slack a mention (shown as their display name)."""
    if approval.status == EXPIRED:
        return f"approval {approval.id} already expired at {_when(approval.expires_at)}"
    who = mention(approval.decided_by, slack)
    at = _when(approval.decided_at) if approval.decided_at else "?"
    return f"already {approval.status} by {who} at {at}"


def _refusal(
    current: Approval, actor: str, approve: bool, approvers: Approvers | None, slack: SlackConfig
) -> tuple[str, str] | None:
    if approvers is not None and not approvers.allows(actor):
        return NOT_APPROVER, "you are not an approver for retrains (slack.approvers)"
    if (
        approve
        and slack.four_eyes
        and current.requested_by is not None
        and current.requested_by == actor
    ):
        return SELF_APPROVAL, "four-eyes: someone else must approve a retrain you requested"
    return None


def expire_due(
    conn: Connection, slack: SlackConfig, now: datetime, where: Where | None = None
) -> list[Approval]:
    """Expire every pending approval whose time is up; their buttons get replaced."""
    due = approvals.due_to_expire(conn, now)
    return [found for found in (expire_one(conn, a, slack, now, where) for a in due) if found]


def expire_one(
    conn: Connection,
    approval: Approval,
    slack: SlackConfig,
    now: datetime,
    where: Where | None = None,
) -> Approval | None:
    if not approvals.expire(conn, approval.id, now):
        return None
    expired = approvals.get(conn, approval.id)
    assert expired is not None
    audit.record(
        conn,
        action="approval.expired",
        subject=approval.id,
        actor=None,
        now=now,
        detail={"decision_id": approval.decision_id},
    )
    _announce(conn, outbox.APPROVAL_EXPIRED, expired, slack, now, where)
    return expired


def refresh_if_stale(
    conn: Connection,
    approval: Approval,
    now_is: Snapshot,
    slack: SlackConfig,
    now: datetime,
    where: Where | None = None,
) -> Approval | None:
    """If the commit or data moved since ``approval`` was asked for, mark it stale and request
    a new approval for a copy of its decision bound to what is there now; return the new one."""
    if (approval.git_commit, approval.data_version) == (now_is.git_commit, now_is.data_version):
        return None
    old = decisions.get(conn, approval.decision_id)
    if old is None or approval.status != APPROVED:
        return None
    fresh = _rebound(old, approval, now_is, now)
    new_approval_id = approvals.new_approval_id(now)
    if not approvals.mark_stale(conn, approval.id, new_approval_id, now):
        return None
    decisions.save(conn, fresh)
    stale = approvals.get(conn, approval.id)
    assert stale is not None
    audit.record(
        conn,
        action="approval.stale",
        subject=approval.id,
        actor=None,
        now=now,
        detail={"git_commit": now_is.git_commit, "data_version": now_is.data_version},
    )
    _announce(conn, outbox.APPROVAL_STALE, stale, slack, now, where)
    return _ask_again(conn, fresh, approval, new_approval_id, slack, now, where)


def _rebound(old: Decision, approval: Approval, now_is: Snapshot, now: datetime) -> Decision:
    """A copy of the approved decision bound to the commit and data there now."""
    return replace(
        old,
        id=new_decision_id(now),
        created_at=now,
        git_commit=now_is.git_commit,
        data_version=now_is.data_version,
        data_paths=now_is.data_paths,
        reason=f"re-approval: {approval.id} was for commit "
        f"{(approval.git_commit or '?')[:10]}, data {approval.data_version}",
    )


def _ask_again(
    conn: Connection,
    fresh: Decision,
    approval: Approval,
    approval_id: str,
    slack: SlackConfig,
    now: datetime,
    where: Where | None,
) -> Approval:
    """Request the new approval for ``fresh`` and queue its Slack message."""
    created = approvals.request(
        conn, fresh, approval.requested_by, slack.approval_ttl, now, approval_id=approval_id
    )
    links = where.links(fresh.model, decision_id=fresh.id) if where else None
    payload = {
        **decision_payload(fresh, links),
        **approval_payload(created, links),
        "request_reason": fresh.reason,
    }
    outbox.enqueue(
        conn,
        outbox.APPROVAL_REQUESTED,
        payload,
        channel=slack.channel,
        now=now,
        thread_key=fresh.id,
    )
    return created


def _announce(
    conn: Connection,
    kind: str,
    approval: Approval,
    slack: SlackConfig,
    now: datetime,
    where: Where | None,
) -> None:
    links = where.links(approval.model, decision_id=approval.decision_id) if where else None
    outbox.enqueue(
        conn,
        kind,
        approval_payload(approval, links),
        channel=slack.channel,
        now=now,
        thread_key=approval.decision_id,
    )


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")
