"""``retrigger demo [DIR]``: the whole story on a project built for it.

The demo sits above the commands (it calls check, push, run, explain as a user would), so the
CLI calls it directly: a ``commands/demo.py`` calling back into it made commands ↔ demo a cycle.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from retrigger.demo.walkthrough import DemoState, Say, run_demo
from retrigger.errors import BadInput


def demo(directory: Path | None, say: Say) -> DemoState:
    """Build the demo project in DIRECTORY (new or empty; default a temp dir) and walk it."""
    root = directory or Path(tempfile.mkdtemp(prefix="retrigger-demo-"))
    if root.exists() and any(root.iterdir()):
        raise BadInput(f"{root} is not empty; give a new or empty folder for the demo")
    return run_demo(root.resolve(), say)
