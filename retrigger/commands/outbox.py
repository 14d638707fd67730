"""``retrigger outbox retry [ID…|--all]``: dead letters are not the end.

A message goes dead on a permanent error (a revoked token, an unknown channel); once the cause
is fixed, re-queueing it sends it in its place in the channel's order, with its thread kept.
"""

from __future__ import annotations

from retrigger.errors import BadInput
from retrigger.store import outbox
from retrigger.workspace import Workspace


def retry(workspace: Workspace, ids: list[int], everything: bool) -> list[int]:
    """Re-queue the dead letters ``ids`` (or all of them); returns the ids re-queued."""
    if not ids and not everything:
        raise BadInput(
            "name the dead letters to resend (`retrigger status` lists them) or pass --all"
        )
    if ids and everything:
        raise BadInput("pass dead letter ids or --all, not both")
    with workspace.store.transaction() as conn:
        found = outbox.requeue(conn, None if everything else ids, workspace.clock())
    missing = sorted(set(ids) - set(found))
    if missing:
        # The transaction above already re-queued the others: say so, then refuse the rest.
        raise BadInput(
            f"no dead letter {', '.join(map(str, missing))}"
            + (f" (re-queued {', '.join(map(str, found))})" if found else "")
            + "; `retrigger status` lists the dead letters"
        )
    return found
