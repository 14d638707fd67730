"""The one exception tree of retrigger.

Every error a user can cause or meet is a ``RetriggerError`` carrying the exit code the CLI
returns and a one-line message that says what is wrong and how to fix it::

    RetriggerError            exit 1  the work itself failed
    ├── WorkFailed            exit 1  a retrain failed, validation refused promotion, ...
    ├── BadInput              exit 2  bad arguments, unreadable input files
    │   ├── ConfigError       exit 2  retrigger.yaml or RETRIGGER_* variables are invalid
    │   └── StateStoreUnavailable exit 2  the state store cannot be reached or written
    │                                     (not answering, disk full, read-only file system)
    ├── TrackingUnavailable   exit 2  the MLflow tracking URI does not answer
    ├── LockHeld              exit 3  another retrain of the same model holds the lock
    ├── DvcBusy               exit 3  another DVC process holds DVC's lock in the repository
    ├── StateStoreLocked      exit 3  another process holds the state store's write lock
    └── Interrupted           exit 130  Ctrl-C / SIGINT

The CLI maps them to exit codes in one handler (``retrigger.cli.main``); Ctrl-C exits 130.
"""

from __future__ import annotations

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_WORK_FAILED",
    "BadInput",
    "ConfigError",
    "DvcBusy",
    "Interrupted",
    "LockHeld",
    "RetriggerError",
    "StateStoreLocked",
    "StateStoreUnavailable",
    "TrackingUnavailable",
    "WorkFailed",
]

EXIT_OK = 0
EXIT_WORK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130


class RetriggerError(Exception):
    """Base of every error retrigger reports to a user; ``str()`` is the one-line message."""

    exit_code: int = EXIT_WORK_FAILED


class WorkFailed(RetriggerError):
    """The work itself failed: a retrain, a push, a validation that refused promotion."""

    exit_code = EXIT_WORK_FAILED


class BadInput(RetriggerError):
    """The user's input cannot be used: arguments, files, revisions."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(BadInput):
    """The configuration (file or RETRIGGER_* environment) is invalid."""


class TrackingUnavailable(BadInput):
    """The MLflow tracking server does not answer; nothing was decided."""


class LockHeld(RetriggerError):
    """Another process holds the retrain lock of this model."""

    exit_code = EXIT_LOCKED


class DvcBusy(RetriggerError):
    """A live DVC process holds the repository's lock: retry later, nothing failed."""

    exit_code = EXIT_LOCKED


class StateStoreUnavailable(BadInput):
    """The state store cannot be reached or written; nothing was stored."""


class StateStoreLocked(RetriggerError):
    """Another process held the state store's write lock longer than retrigger waits."""

    exit_code = EXIT_LOCKED


class Interrupted(RetriggerError):
    """The user pressed Ctrl-C (SIGINT)."""

    exit_code = EXIT_INTERRUPTED
