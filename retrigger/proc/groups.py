"""Process groups and pids: stopping a group, and whether a pid still runs (Linux ``/proc``)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def signal_group(pgid: int, signum: int) -> None:
    """Send SIGNUM to the process group PGID; one already gone (or not ours) is no error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def stop_group(pgid: int, grace: float = 5.0) -> None:
    """Stop a process group this process did not start (a dead runner's leftover step):
    SIGTERM, then SIGKILL when it is still there after ``grace`` seconds."""
    signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)
    signal_group(pgid, signal.SIGKILL)


def _stat(pid: int) -> list[str] | None:
    """``/proc/PID/stat`` from field 3 on (Linux); the command name may contain spaces."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), so a reused pid is not mistaken for it."""
    fields = _stat(pid)
    return fields[19] if fields else None  # field 22, starttime


def alive(pid: int) -> bool:
    """``pid`` runs (someone else's process counts). A zombie does not: a killed process whose
    parent died too stays one where PID 1 reaps nothing (containers), and ``kill -0`` finds it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = _stat(pid)
    return fields is None or fields[0] not in ("Z", "X")  # field 3, state
