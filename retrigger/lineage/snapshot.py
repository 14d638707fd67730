"""The current snapshot: the git commit and the data versions in the work tree right now.

Decisions record it, approvals bind to it (and go stale when it moves), forced retrains and
arrivals stamp it: one definition, so "the data version" means the same digest everywhere.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from retrigger.units import format as fmt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """The git commit and the data version (digest of every ``data:`` path's md5)."""

    git_commit: str | None
    data_version: str | None
    data_paths: dict[str, str | None]


def current(root: Path, data: Sequence[str]) -> Snapshot:
    """What the work tree at ``root`` holds now for the ``data:`` paths (DVC files / dvc.lock)."""
    from retrigger.data.versions import data_version, versions
    from retrigger.gitutil import head_commit

    started = time.monotonic()
    outs = versions(root, list(data)) if data else []
    found = Snapshot(
        git_commit=head_commit(root),
        data_version=data_version(outs) if outs else None,
        data_paths={out.path: out.md5 for out in outs},
    )
    log.info(
        "data version %s of %s (DVC files at commit %s), read in %s",
        found.data_version or "unknown",
        ", ".join(data) or "no data paths",
        (found.git_commit or "none")[:12],
        fmt.duration(time.monotonic() - started),
    )
    return found
