"""The ``retrigger`` command: one typer app, one error handler (STYLE.md #1).

Command modules are imported here but import the engine (and mlflow, pandas...) only inside
their functions, so ``retrigger --help`` stays fast.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import tempfile
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from retrigger.cli import (
    approve,
    backtest,
    baseline,
    bot,
    champion,
    check,
    decisions,
    delta,
    demo,
    drift,
    events,
    explain,
    history,
    init,
    outbox,
    push,
    render,
    run,
    serve,
    status,
    validate,
)
from retrigger.cli import config as config_cmd
from retrigger.cli import hooks as hooks_cmd
from retrigger.errors import Interrupted, RetriggerError

app = typer.Typer(
    name="retrigger",
    help="Decide when an ML model must be retrained, retrain it through DVC, and keep the "
    "audit trail in MLflow.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

for module in (
    check,
    config_cmd,
    baseline,
    drift,
    delta,
    push,
    hooks_cmd,
    init,
    demo,
    approve,
    status,
    bot,
    run,
    history,
    decisions,
    explain,
    backtest,
    outbox,
    champion,
    serve,
    validate,
    events,
):
    module.register(app)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # only here: --help stays fast

        typer.echo(f"retrigger {version('retrigger')}")
        raise typer.Exit()


@app.callback()
def _options(
    ctx: typer.Context,
    _version_flag: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only results and errors: no progress, no notes.")
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, help="Log what happens on stderr (-vv: debug)."
        ),
    ] = 0,
    _debug_flag: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Show the traceback of an unexpected error (or RETRIGGER_DEBUG=1).",
        ),
    ] = False,
) -> None:
    """Decide when an ML model must be retrained, retrain it through DVC, and keep the audit
    trail in MLflow."""
    # main() reads --debug from argv itself: it must know it even when the command fails
    # before this callback runs.
    render.configure(ctx, quiet=quiet, verbose=verbose)


def _raise_interrupted(_signum: int, _frame: FrameType | None) -> None:
    # Our own exception, not KeyboardInterrupt: click would turn that into "Aborted!", exit 1.
    raise Interrupted("interrupted")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map every known error to its exit code and a one-line message.

    Usage errors are typer's (exit 2); ``RetriggerError`` carries its own exit code.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _raise_interrupted) if in_main_thread else None
    try:
        app(args=argv, prog_name="retrigger")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except RetriggerError as exc:
        typer.echo(f"retrigger: error: {exc}", err=True)
        return exc.exit_code
    except Exception as exc:  # a bug or an unexpected failure underneath: see _unexpected
        return _unexpected(exc, sys.argv[1:] if argv is None else argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        _close_stores()
    return 0


def _close_stores() -> None:
    """The command has ended: close the state stores it opened (see ``store.close_all``).
    Looked up, not imported: a command that never opened one never loaded SQLAlchemy."""
    store = sys.modules.get("retrigger.store")
    if store is not None:
        store.close_all()


def _unexpected(exc: Exception, argv: list[str]) -> int:
    """One line naming the exception and the log file that holds the traceback (as pre-commit
    does); the traceback itself on stderr with ``--debug`` or ``RETRIGGER_DEBUG=1``."""
    summary = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
    if _debug(argv):
        traceback.print_exception(exc, file=sys.stderr)
    log = _write_log(exc, argv)
    where = f"; the traceback is in {log}" if log else ""
    typer.echo(
        f"retrigger: unexpected error: {summary}{where} (rerun with --debug to show "
        "it; please report it if it is not caused by your setup)",
        err=True,
    )
    return 1


def _debug(argv: list[str]) -> bool:
    if os.environ.get("RETRIGGER_DEBUG", "").strip() not in ("", "0"):
        return True
    for arg in argv:  # a root option: it comes before the command name
        if arg == "--debug":
            return True
        if not arg.startswith("-"):
            return False
    return False


def _write_log(exc: Exception, argv: list[str]) -> Path | None:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for folder in (cache / "retrigger", Path(tempfile.gettempdir()) / "retrigger"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / "retrigger.log"
            text = "".join(traceback.format_exception(exc))
            log.write_text(
                f"{datetime.now(tz=UTC).isoformat()} retrigger {' '.join(argv)}\n{text}",
                encoding="utf-8",
            )
            return log
        except OSError:
            continue
    return None


def entrypoint() -> None:
    code = main()
    # The process ends now: keep the collector from walking mlflow's and sqlalchemy's heap at
    # interpreter shutdown (1.5-2 s after a command that used MLflow, for nothing).
    gc.freeze()
    sys.exit(code)
