"""Arrivals kept on disk while the state store could not take them (locked, unreachable).

A git hook must not hold a push up, nor lose what it saw: it appends the arrival, one JSON
line, to ``.retrigger/arrivals.spool``. The next process that opens the store replays the file.
Replaying is exactly once: replays take the file's lock one at a time and empty it in place
(never unlink: a hook waiting on the lock would append to a file nobody reads), and an arrival
is recorded at most once anyway (one row per model and data version), so a replay cut short
and done again records nothing twice.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from retrigger.store.arrivals import Arrival, record

if TYPE_CHECKING:
    from retrigger.store import Store

log = logging.getLogger(__name__)
SPOOL_NAME = "arrivals.spool"
REJECTED_NAME = "arrivals.spool.rejected"


def keep(folder: Path, arrival: Arrival, channel: str | None) -> Path:
    """Append the arrival to the spool, durably; its path. ``OSError`` when it cannot."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SPOOL_NAME
    line = json.dumps({"arrival": arrival.as_json(), "channel": channel}) + "\n"
    with _locked(path) as handle:
        handle.seek(0, os.SEEK_END)
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def pending(folder: Path) -> bool:
    """Anything to replay (a stat: every command pays this, nothing more)."""
    try:
        return (folder / SPOOL_NAME).stat().st_size > 0
    except OSError:
        return False


def replay(store: Store, folder: Path) -> int:
    """Record every arrival in the spool, then empty it; how many were new."""
    if not pending(folder):
        return 0
    path = folder / SPOOL_NAME
    recorded = 0
    with _locked(path) as handle:
        handle.seek(0)
        for line in handle.read().splitlines():
            entry = _entry(line)
            if entry is None:
                _reject(folder, line)
                continue
            arrival, channel = entry
            recorded += record(store, arrival, channel=channel)  # raises: the spool stays
        handle.seek(0)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())
    if recorded:
        log.warning(
            "retrigger: recorded %d data arrival(s) kept in %s while the state store was busy",
            recorded,
            path,
        )
    return recorded


@contextmanager
def _locked(path: Path) -> Iterator[IO[str]]:
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _entry(line: str) -> tuple[Arrival, str | None] | None:
    if not line.strip():
        return None
    try:
        loaded = json.loads(line)
        raw, channel = loaded["arrival"], loaded.get("channel")
        arrival = Arrival(
            model=str(raw["model"]),
            data_version=str(raw["data_version"]),
            created_at=datetime.fromisoformat(raw["created_at"]),
            source=str(raw["source"]),
            git_commit=raw.get("git_commit"),
            paths={str(k): str(v) for k, v in dict(raw["paths"]).items()},
            delta=dict(raw["delta"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return arrival, str(channel) if channel is not None else None


def _reject(folder: Path, line: str) -> None:
    """A line that is not an arrival (hand-edited, cut short) is set aside, said once."""
    if not line.strip():
        return
    with (folder / REJECTED_NAME).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    log.warning(
        "retrigger: a line of %s is not an arrival; set aside in %s",
        folder / SPOOL_NAME,
        folder / REJECTED_NAME,
    )
