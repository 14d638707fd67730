"""All CLI output goes through here: JSON documents, tables, and plain lines."""

from __future__ import annotations

import json
import sys
from typing import Any


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
    return "—" if value is None else f"{value:.4g}"
