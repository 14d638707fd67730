"""Options shared by many commands, typed with ``Annotated`` (STYLE.md #12)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="Path to retrigger.yaml (default: the nearest one).", dir_okay=False
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout and nothing else."),
]
