"""Every subprocess retrigger starts goes through here (STYLE.md: one helper for side effects).

``running``: run or stream a command with a clean environment; ``interpreter``: which
environment a pipeline's commands run in; ``groups``: process groups and pids."""

from __future__ import annotations

from retrigger.proc.groups import alive, start_time, stop_group
from retrigger.proc.interpreter import (
    RETRIGGER_BIN,
    Interpreter,
    own_interpreter,
    pipeline_interpreter,
)
from retrigger.proc.running import StreamTimeout, clean_env, run, stream

__all__ = [
    "RETRIGGER_BIN",
    "Interpreter",
    "StreamTimeout",
    "alive",
    "clean_env",
    "own_interpreter",
    "pipeline_interpreter",
    "run",
    "start_time",
    "stop_group",
    "stream",
]
