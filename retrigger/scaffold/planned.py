"""One file ``init`` plans to touch, and how (planned whole before anything is written)."""

from __future__ import annotations

from dataclasses import dataclass

CREATE, OVERWRITE, UPDATE, KEEP, CONFLICT = "created", "overwritten", "updated", "kept", "conflict"
NOT_WRITTEN = "not written"  # nothing there, and nothing to write yet


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the project root
    action: str  # created | overwritten | updated | kept | not written | conflict
    why: str
    content: str | None = None  # None: nothing to write
    backup: bool = False  # the file there is copied to <path>.bak first

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "action": self.action, "why": self.why}
