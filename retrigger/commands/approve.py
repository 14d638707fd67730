"""``retrigger approve ID`` / ``retrigger reject ID``: decide a pending approval from the CLI."""

from __future__ import annotations

import getpass

from retrigger.approvals import flow as approval_flow
from retrigger.approvals.flow import Result
from retrigger.errors import BadInput
from retrigger.notify import linking
from retrigger.workspace import Workspace


def cli_actor() -> str:
    """Who decides from the CLI: the OS user (anyone who can write the state store is trusted
    like an approver; four-eyes still compares with who requested)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def approve(
    workspace: Workspace, approval_id: str, reason: str | None, actor: str | None = None
) -> Result:
    """Approve from the CLI (exactly once); anything but a state change is a ``BadInput``."""
    return _answer(workspace, approval_id, True, reason, actor)


def reject(
    workspace: Workspace, approval_id: str, reason: str | None, actor: str | None = None
) -> Result:
    """Reject from the CLI; anything but a state change is a ``BadInput``."""
    return _answer(workspace, approval_id, False, reason, actor)


def _answer(
    workspace: Workspace, approval_id: str, approve: bool, reason: str | None, actor: str | None
) -> Result:
    where = linking.where(workspace)  # before the transaction: it may ask MLflow
    with workspace.store.transaction() as conn:
        result = approval_flow.answer(
            conn,
            approval_id,
            actor or cli_actor(),
            approve,
            reason,
            workspace.clock(),
            slack=workspace.config.slack,
            approvers=None,
            where=where,
        )
    if not result.changed:
        raise BadInput(f"{result.message}; nothing changed")
    return result
