"""Notifications: the durable outbox, its renderers and its delivery.

``deliver_pending(workspace, deadline_s)`` is what a command calls before it exits to deliver
what it queued; it is imported lazily so that queueing (``outbox.enqueue``) stays cheap on the
path of a git hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrigger.notify.worker import Tally
    from retrigger.workspace import Workspace

__all__ = ["deliver_pending"]


def deliver_pending(workspace: Workspace, deadline_s: float = 10.0) -> Tally:
    """Deliver what is queued (Slack, or the console without SLACK_BOT_TOKEN) within a bound."""
    from retrigger.notify.delivery import deliver_pending as deliver

    return deliver(workspace, deadline_s)
