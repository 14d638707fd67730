"""``retrigger check``: evaluate the signals and store an explained decision."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from retrigger.decision import Decision


NOTIFY_DEADLINE_S = 10.0


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    config: ConfigOption = None,
    json_output: JsonOption = False,
    github_output: Annotated[
        bool,
        typer.Option(
            "--github-output",
            help="Append retrain=, decision_id=, trigger_types= to $GITHUB_OUTPUT.",
        ),
    ] = False,
    gitlab_dotenv: Annotated[
        Path | None,
        typer.Option(
            "--gitlab-dotenv",
            metavar="FILE",
            help="Write CHECK_RETRAIN=, CHECK_DECISION_ID=, "
            "CHECK_TRIGGER_TYPES= to FILE for GitLab's `artifacts: reports: dotenv` (the retrain "
            "job reads them).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Read the signals and show what would be decided; store and send nothing.",
        ),
    ] = False,
) -> None:
    """Read the signals, decide whether to retrain now, store the decision and explain it.

    Exit 0 whether or not it decides to retrain; the decision is in the output.
    """
    if dry_run:
        _peek(config, json_output)
        return
    output_file = _github_output_file() if github_output else None
    if gitlab_dotenv is not None and gitlab_dotenv.is_dir():
        raise BadInput(
            f"--gitlab-dotenv {gitlab_dotenv} is a folder; give a file name such as retrigger.env"
        )
    from retrigger.commands import check as command
    from retrigger.workspace import Workspace

    workspace = Workspace.load(config)
    with render.waiting("reading the signals…", json_output):
        decision = command.check(workspace)
    from retrigger.notify import deliver_pending

    deliver_pending(workspace, NOTIFY_DEADLINE_S)  # what check queued (trigger fired)
    if output_file is not None:
        _append_github_output(output_file, decision)
    if gitlab_dotenv is not None:
        command.write_gitlab_dotenv(gitlab_dotenv, decision)
    command.report_decision(decision, os.environ, sys.stderr if json_output else sys.stdout)
    if json_output:
        render.print_document("decision", decision.as_json())
    else:
        show(decision)


def _peek(config: Path | None, json_output: bool) -> None:
    """``--dry-run``: the same reading and table, no decision stored, no message, no outputs."""
    from retrigger.commands import check as command
    from retrigger.workspace import Workspace

    workspace = Workspace.load(config)
    with render.waiting("reading the signals…", json_output):
        decision = command.peek(workspace)
    if json_output:
        render.print_document("decision", {**decision.as_json(), "dry_run": True})
        return
    show(decision, stored=False)
    render.line("dry run: this decision was not stored and nothing was sent")


def _github_output_file() -> Path:
    name = os.environ.get("GITHUB_OUTPUT")
    if not name:
        raise BadInput(
            "--github-output needs $GITHUB_OUTPUT (set by GitHub Actions); "
            "outside Actions, set it to a file path or drop the flag"
        )
    return Path(name)


def _append_github_output(path: Path, decision: Decision) -> None:
    lines = [
        f"retrain={'true' if decision.fire else 'false'}",
        f"decision_id={decision.id}",
        f"trigger_types={','.join(decision.trigger_types)}",
    ]
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def show(decision: Decision, stored: bool = True) -> None:
    for line in decision.fetched:
        render.line(line)
    rows = [
        [
            r.kind,
            render.signal_value(r.kind, r.value),
            render.signal_value(r.kind, r.threshold),
            "UNKNOWN" if r.unknown else ("FIRED" if r.fired else "ok"),
            r.detail,
        ]
        for r in decision.readings
    ]
    render.table(f"decision {decision.id}", ["signal", "value", "threshold", "state", "why"], rows)
    for warning in decision.warnings:
        render.line(f"WARNING {warning}", style="bold yellow")
    fired = ", ".join(decision.trigger_types) or "none"
    if decision.fire:
        nxt = f"retrigger run --decision {decision.id}" if stored else "retrigger check"
        render.line(f"RETRAIN: signals fired: {fired}. Next: {nxt}", style="bold red")
    elif decision.held_by:
        render.line(
            f"HELD by {decision.held_by}: {decision.hold_detail} (fired: {fired})",
            style="bold yellow",
        )
    else:
        render.line(
            "no retrain needed" + (f" (fired: {fired})" if decision.trigger_types else ""),
            style="bold green",
        )
    if decision.data_version:
        render.note(f"data version {decision.data_version}")
