"""The lines ``init`` adds to ``.gitignore``: retrigger's state and a local MLflow store.

Only lines that are missing are appended, under one comment, so running init again adds
nothing and the user's own lines and order stay as they were.
"""

from __future__ import annotations

from pathlib import Path

from retrigger.scaffold.planned import CREATE, KEEP, UPDATE, PlannedFile

FILE = ".gitignore"
HEADER = "# retrigger: local state and the local MLflow store (`retrigger init`)"


def wanted_lines(tracking_uri: str) -> list[str]:
    lines = [".retrigger/"]
    if tracking_uri.startswith("sqlite:///"):
        db = tracking_uri.removeprefix("sqlite:///")
        if not db.startswith("/"):  # an absolute path lies outside the repository
            lines += [f"/{db}", "/mlartifacts/"]
    return lines


def plan_gitignore(root: Path, tracking_uri: str) -> PlannedFile:
    path = root / FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip().lstrip("/").rstrip("/") for line in text.splitlines()}
    missing = [
        line for line in wanted_lines(tracking_uri) if line.lstrip("/").rstrip("/") not in present
    ]
    if not missing:
        return PlannedFile(FILE, KEEP, "already ignores retrigger's local files")
    block = "\n".join([HEADER, *missing]) + "\n"
    content = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block
    return PlannedFile(
        FILE, UPDATE if path.exists() else CREATE, f"ignore {', '.join(missing)}", content
    )
