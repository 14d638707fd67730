"""Is another DVC process working in this repository right now?

DVC holds two locks: the repo lock ``.dvc/tmp/lock`` (an ``flock`` held by pull, push and
repro between stages; the file keeps the last holder's pid) and ``.dvc/tmp/rwlock`` (a JSON
list of pids reading or writing stage outputs, held while a stage's command runs). A retrain
that meets a live holder is *busy*, not failed: it is recorded ``busy`` and exits 3. DVC's own
advice ("remove .dvc/tmp/rwlock") is wrong while the holder lives, so it is never repeated.

Waiting is bounded (``pipeline.wait_for_dvc``): never DVC's unbounded ``--wait-for-lock``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from retrigger.errors import DvcBusy
from retrigger.proc import alive

POLL_S = 0.5
_LOCK_FAILURE = ("Unable to acquire lock", "is busy, it is being blocked by")
_PID_IN_MESSAGE = re.compile(r"\(PID (\d+)\): (.+)")


@dataclass(frozen=True)
class DvcHolder:
    pid: int | None
    cmd: str

    def __str__(self) -> str:
        return f"pid {self.pid}: {self.cmd}" if self.pid else self.cmd


def holder(root: Path) -> DvcHolder | None:
    """A live process holding one of DVC's locks in ``root``, or None."""
    tmp = root / ".dvc" / "tmp"
    return _rwlock_holder(tmp / "rwlock") or _repo_lock_holder(tmp / "lock")


def busy_error(found: DvcHolder) -> DvcBusy:
    return DvcBusy(
        f"DVC is busy in this repository ({found}); retry later, or set "
        "pipeline.wait_for_dvc to wait for it"
    )


def wait_until_free(
    root: Path,
    wait_s: float,
    say: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Return once no live process holds DVC's locks; DvcBusy after ``wait_s`` seconds."""
    deadline = clock() + wait_s
    told = False
    while (found := holder(root)) is not None:
        if clock() >= deadline:
            raise busy_error(found)
        if not told:
            say(f"DVC is busy ({found}); waiting up to {wait_s:g}s (pipeline.wait_for_dvc)")
            told = True
        time.sleep(min(POLL_S, max(deadline - clock(), 0.0)))


def from_failure(root: Path, output: Iterable[str]) -> DvcBusy | None:
    """DvcBusy when a failed DVC command's output says it could not take a lock."""
    lines = list(output)
    if not any(marker in line for line in lines for marker in _LOCK_FAILURE):
        return None
    found = holder(root)
    if found is None:  # the holder has finished since: name it from DVC's own message
        match = next((m for m in map(_PID_IN_MESSAGE.search, lines) if m), None)
        found = (
            DvcHolder(int(match.group(1)), match.group(2).strip())
            if match
            else DvcHolder(None, "another DVC process")
        )
    return busy_error(found)


def _rwlock_holder(path: Path) -> DvcHolder | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    entries: list[object] = []
    for mode in ("write", "read"):
        for infos in (document.get(mode) or {}).values():
            entries.extend(infos if isinstance(infos, list) else [infos])
    for info in entries:
        if isinstance(info, dict) and str(info.get("pid", "")).isdigit():
            pid = int(info["pid"])
            if pid != os.getpid() and alive(pid):
                return DvcHolder(pid, str(info.get("cmd") or "dvc"))
    return None


def _repo_lock_holder(path: Path) -> DvcHolder | None:
    try:
        handle = path.open("r+")
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return None
            text = handle.read().strip()
            pid = int(text) if text.isdigit() else None
            return DvcHolder(pid, _cmdline(pid) if pid else "another DVC process")
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)  # free: let it go at once
    return None


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        text = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
        if text:
            return text[:200]
    return "dvc"
