"""What went wrong with the state store, in one line a person can act on.

A locked database (another process holds the write lock), a full disk and a read-only file
system need different fixes, so each gets its own line; anything else is "not reachable".
SQLite names its errors (``sqlite_errorname``), PostgreSQL its SQLSTATE; an ``OSError`` comes
from making the SQLite file's folder.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from retrigger.errors import RetriggerError, StateStoreLocked, StateStoreUnavailable

# How long a write waits for another process's lock on a SQLite state store (busy_timeout).
# A git hook waits this long at most, then keeps the arrival in the spool (README: 10 s with
# the hook's own start-up).
BUSY_TIMEOUT_S = 8

_PG_DISK_FULL = "53100"
_PG_READ_ONLY = "25006"
_PG_LOCKED = ("55P03", "40P01")  # lock_not_available, deadlock_detected


def locked(where: str) -> StateStoreLocked:
    return StateStoreLocked(
        f"state store {where} is locked by another process (waited {BUSY_TIMEOUT_S} s); "
        "retry when it has finished"
    )


def disk_full(where: str) -> StateStoreUnavailable:
    return StateStoreUnavailable(
        f"state store {where}: the disk is full; free some space on it and retry"
    )


def read_only(where: str) -> StateStoreUnavailable:
    return StateStoreUnavailable(
        f"state store {where} is on a read-only file system; make it writable, or point "
        "state.url at a writable place"
    )


def from_database(orig: BaseException | None, where: str, database: str | None) -> RetriggerError:
    """The error a driver raised, as one of the lines above, else "not reachable"."""
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    state = str(getattr(orig, "sqlstate", "") or "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or state in _PG_LOCKED:
        return locked(where)
    if name.startswith("SQLITE_FULL") or state == _PG_DISK_FULL:
        return disk_full(where)
    if name.startswith("SQLITE_READONLY") or state == _PG_READ_ONLY:
        return read_only(where)
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR")) and _on_read_only_fs(database):
        return read_only(where)
    reason = str(orig).strip().splitlines()[0] if orig is not None else "no answer"
    return StateStoreUnavailable(
        f"state store {where} is not reachable ({reason}); "
        "check state.url and that the database is running"
    )


def from_os_error(exc: OSError, where: str) -> RetriggerError:
    """The SQLite file's folder could not be made or written."""
    if exc.errno == errno.ENOSPC:
        return disk_full(where)
    if exc.errno == errno.EROFS:
        return read_only(where)
    return StateStoreUnavailable(
        f"state store {where} cannot be created ({exc.strerror or exc}); "
        "check state.url and the folder's permissions"
    )


def _on_read_only_fs(database: str | None) -> bool:
    """Whether the SQLite file (or the nearest folder that exists) is on a read-only mount."""
    if not database:
        return False
    path = Path(database).resolve()
    for candidate in (path, *path.parents):
        if candidate.exists():
            return bool(os.statvfs(candidate).f_flag & os.ST_RDONLY)
    return False
