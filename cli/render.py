"""All CLI output goes through here: JSON documents, tables, and plain lines."""

from __future__ import annotations

import json
import sys
from typing import Any

from retrigger.units import format as fmt


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*row)
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
