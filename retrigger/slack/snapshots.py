"""A cached snapshot (commit, data version) for the bot's requests, refreshed off their path."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from retrigger.lineage.snapshot import Snapshot


class SnapshotCache:
    """What a new request binds to, without making it wait on ``git``: a cached snapshot,
    refreshed by the bot's loop (``refresh_if_old``) and asked for again (``on_old``) once it is
    older than ``fresh_s``. Approvals are checked against a fresh snapshot before execution,
    so a request that bound to a commit just replaced is re-requested, never run stale."""

    def __init__(
        self,
        read: Callable[[], Snapshot],
        fresh_s: float = 2.0,
        on_old: Callable[[], None] | None = None,
    ) -> None:
        self._read = read
        self.fresh_s = fresh_s
        self._on_old = on_old
        self._lock = threading.Lock()
        self._entry: tuple[float, Snapshot] | None = None

    def __call__(self) -> Snapshot:
        with self._lock:
            entry = self._entry
        if entry is None:
            return self.refresh()
        if time.monotonic() - entry[0] > self.fresh_s and self._on_old is not None:
            self._on_old()
        return entry[1]

    def refresh(self) -> Snapshot:
        fresh = self._read()
        with self._lock:
            self._entry = (time.monotonic(), fresh)
        return fresh

    def refresh_if_old(self) -> None:
        with self._lock:
            entry = self._entry
        if entry is None or time.monotonic() - entry[0] > self.fresh_s:
            self.refresh()
