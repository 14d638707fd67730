"""A file lock for creating the stores once: two commands started together on a fresh project
(a hook and a ``check``, two CI jobs) would otherwise both run MLflow's SQLite migrations and
both fail ("table … already exists", "No such constraint").

``flock`` is released by the kernel when its holder dies, so a killed command never leaves it
held. Without ``fcntl`` (Windows) the lock is a no-op: the stores are created as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

INIT_LOCK = Path(".retrigger") / "init.lock"


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on PATH (created with its folder) while the block runs."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
