"""Who may decide an approval: ``slack.approvers`` user ids, and the members of its user groups.

A user group's members come from Slack's ``usergroups.users.list``; they are cached for
``slack.group_cache`` so a burst of clicks costs one Web API call, not one per click. A group
that cannot be read grants nothing (fail closed) and is asked again on the next click.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

log = logging.getLogger(__name__)

GroupMembers = Callable[[str], Iterable[str]]


def is_group(approver_id: str) -> bool:
    return approver_id.startswith("S")


class Approvers:
    """The configured approvers; ``allows(user)`` answers from ids, then from cached groups."""

    def __init__(
        self,
        ids: Iterable[str],
        members: GroupMembers | None,
        ttl: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        ids = list(ids)
        self.users = frozenset(a for a in ids if not is_group(a))
        self.groups = tuple(a for a in ids if is_group(a))
        self._members = members
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[datetime, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def allows(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        return any(user_id in self.members_of(group) for group in self.groups)

    def members_of(self, group: str) -> frozenset[str]:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(group)
            if cached is not None and now - cached[0] < self._ttl:
                return cached[1]
        if self._members is None:
            return frozenset()
        try:
            members = frozenset(self._members(group))
        except Exception as exc:  # any failure of the lookup denies, it never grants
            log.warning("cannot read members of user group %s: %s", group, type(exc).__name__)
            return frozenset()
        with self._lock:
            self._cache[group] = (now, members)
        return members


def slack_group_members(client: object) -> GroupMembers:
    """Members of a user group through the Web API (``usergroups.users.list``)."""

    def lookup(group: str) -> list[str]:
        response = client.usergroups_users_list(usergroup=group)  # type: ignore[attr-defined]
        return [str(user) for user in response.get("users") or []]

    return lookup
