"""``retrigger delta [REV_A] [REV_B] [--staged] [--json] [--fetch]``: how much data arrived."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption

if TYPE_CHECKING:
    from retrigger.commands.delta import Compared


def register(app: typer.Typer) -> None:
    app.command("delta")(delta)


def delta(
    rev_a: Annotated[
        str | None,
        typer.Argument(
            help="Old side: a git revision (default: the data of the last retrain, else the "
            "baseline run)."
        ),
    ] = None,
    rev_b: Annotated[
        str | None, typer.Argument(help="New side: a git revision (default: the working tree).")
    ] = None,
    staged: Annotated[
        bool, typer.Option("--staged", help="New side: what is staged in the git index.")
    ] = False,
    fetch: Annotated[
        bool,
        typer.Option(
            "--fetch",
            help="`dvc fetch` versions missing from the local cache to count rows.",
        ),
    ] = False,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Rows, bytes and files added per data path between two data versions."""
    from retrigger.commands import delta as command
    from retrigger.workspace import Workspace

    compared = command.delta(
        Workspace.load(config),
        command.DeltaRequest(rev_a=rev_a, rev_b=rev_b, staged=staged, fetch=fetch),
    )
    if json_output:
        render.print_document("delta", compared.report.as_json())
    else:
        show(compared)


def show(compared: Compared) -> None:
    report = compared.report
    rows = []
    for item in report.paths:
        rows.append(
            [
                item.path,
                render.count(item.old.rows),
                render.count(item.new.rows),
                render.count(item.rows, signed=True),
                "—" if item.rows_pct is None else f"{item.rows_pct:+.1f}%",
                render.size(item.bytes, signed=True),
                f"+{item.files_added} -{item.files_removed} ~{item.files_modified}",
            ]
        )
    title = (
        f"data delta: {compared.old_label} ({report.data_version_old or 'unknown'}) → "
        f"{compared.new_label} ({report.data_version_new})"
    )
    render.table(
        title, ["path", "old rows", "new rows", "Δ rows", "Δ rows %", "Δ bytes", "files"], rows
    )
    if any(item.rows is None and item.changed for item in report.paths):
        render.line("rows unknown: a version is not in the local DVC cache; add --fetch")
