"""All CLI output goes through here: JSON documents, tables, plain lines, notes, spinners.

``-q`` silences notes and spinners, ``-v``/``-vv`` log on stderr; the choice is held in a
``ContextVar`` set by the root callback for this invocation (no module-level mutable state).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from retrigger.units import format as fmt


@dataclass(frozen=True)
class Output:
    quiet: bool = False
    verbose: int = 0


_OUTPUT: ContextVar[Output | None] = ContextVar("retrigger_output", default=None)


def _output() -> Output:
    return _OUTPUT.get() or Output()


def configure(ctx: Any, quiet: bool, verbose: int) -> None:
    """Called once per invocation by the root callback."""
    output = Output(quiet=quiet, verbose=0 if quiet else verbose)
    _OUTPUT.set(output)
    ctx.obj = output
    _log_engine(output.verbose)


class _Stderr(logging.Handler):
    """Writes to the ``sys.stderr`` of the moment (a test's capture, a CliRunner's)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # a closed stream: logging must never fail the command
            self.handleError(record)


def _log_engine(verbose: int) -> None:
    """``-v``: the engine's steps (``retrigger.*`` at INFO: what it read, from where, how
    long); ``-vv``: also the commands it runs (DEBUG, ``retrigger.proc``). Libraries stay quiet:
    their chatter is not what a user asked to see."""
    engine = logging.getLogger("retrigger")
    for handler in [h for h in engine.handlers if isinstance(h, _Stderr)]:
        engine.removeHandler(handler)
    if not verbose:
        engine.setLevel(logging.NOTSET)
        engine.propagate = True
        return
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s", "%H:%M:%S"))
    engine.addHandler(handler)
    engine.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    engine.propagate = False  # once, on our stderr, not again through a root handler


def note(text: str) -> None:
    """A line that helps but is not the result (hints, next steps): silenced by ``-q``."""
    if not _output().quiet:
        line(text)


@contextmanager
def waiting(message: str, json_output: bool = False) -> Iterator[None]:
    """A spinner on stderr while something slow runs: only on a terminal, never with
    ``--json`` or ``-q``, so piped and machine-read output stays exactly the same."""
    if json_output or _output().quiet or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def print_document(kind: str, body: dict[str, Any]) -> None:
    """A ``--json`` document with its ``"schema": "retrigger/<kind>/v1"`` key first."""
    print_json({"schema": f"retrigger/{kind}/v1", **body})


PIPED_WIDTH = 120  # output read by grep or a log, not a terminal: fold less, ids stay whole


def console() -> Any:
    from rich.console import Console

    width = None if sys.stdout.isatty() else PIPED_WIDTH
    return Console(highlight=False, width=width)


# Columns that hold ids: never wrapped mid-id (a folded id no longer pastes into a command).
ID_COLUMNS = frozenset({"decision", "decision id", "approval", "attempt", "run", "run id", "id"})


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    """Cells and title are data, never rich markup (``[data/train.csv]`` shows as written)."""
    from rich.table import Table
    from rich.text import Text

    grid = Table(title=Text(title), title_justify="left")
    for index, column in enumerate(columns):
        if column in ID_COLUMNS:
            widest = max((len(str(row[index])) for row in rows), default=len(column))
            grid.add_column(column, no_wrap=True, min_width=max(widest, len(column)))
        else:
            grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(Text(str(cell)) for cell in row))
    console().print(grid)


def line(text: str, style: str | None = None) -> None:
    """One line for people; ``text`` is data, never rich markup."""
    console().print(text, style=style, markup=False, soft_wrap=True)


def number(value: float | None) -> str:
    return fmt.number(value)


def signal_value(kind: str, value: float | None) -> str:
    """A signal's value or threshold with its unit (``3 d 4 h``, ``3,500 rows``)."""
    return fmt.signal_value(kind, value)


def count(value: float | None, unit: str = "", signed: bool = False) -> str:
    return fmt.count(value, unit, signed).rstrip() if unit else fmt.number(value, signed=signed)


def size(n_bytes: float | None, signed: bool = False) -> str:
    return fmt.size(n_bytes, signed)


def timestamp(when: Any) -> str:
    return fmt.timestamp(when)


def empty(table: str, words: str) -> None:
    """An empty table said in words instead of drawn with no rows."""
    line(f"{table}: {words}")
