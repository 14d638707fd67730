"""The ``retrigger`` command: one typer app, one error handler (STYLE.md #1).

Command modules are imported here but import the engine (and mlflow, pandas...) only inside
their functions, so ``retrigger --help`` stays fast.
"""

from __future__ import annotations

import gc
import signal
import sys
import threading
from types import FrameType
from typing import Annotated

import typer

from retrigger.cli import (
    approve,
    backtest,
    baseline,
    bot,
    check,
    decisions,
    delta,
    demo,
    drift,
    explain,
    history,
    init,
    push,
    render,
    run,
    status,
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

for module in (check, config_cmd, baseline, drift, delta, push, hooks_cmd, init, demo,
               approve, status, bot, run, history, decisions, explain, backtest):
    module.register(app)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # only here: --help stays fast

        typer.echo(f"retrigger {version('retrigger')}")
        raise typer.Exit()


@app.callback()
def _options(
    ctx: typer.Context,
    _version_flag: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Only results and errors: no progress, no notes.")] = False,
    verbose: Annotated[int, typer.Option(
        "--verbose", "-v", count=True, help="Log what happens on stderr (-vv: debug).")] = 0,
) -> None:
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
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return 0


def entrypoint() -> None:
    code = main()
    # The process ends now: keep the collector from walking mlflow's and sqlalchemy's heap at
    # interpreter shutdown (1.5-2 s after a command that used MLflow, for nothing).
    gc.freeze()
    sys.exit(code)
