"""``retrigger history``: retrain runs from MLflow, newest first."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("history")(history)


def history(
    trigger: Annotated[
        str | None,
        typer.Option(
            "--trigger",
            help="Only retrains this trigger type set off: performance, drift, "
            "schedule, volume or manual; registry: changes made outside retrigger.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only retrains started within this duration, e.g. 30d, 12h."),
    ] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """List retrain runs: when, why (trigger types, decision), on which data and commit, the
    metric before and after, the status and promoted version, who asked and who approved."""
    from retrigger.commands import history as command
    from retrigger.workspace import Workspace

    window = command.window(since)
    workspace = Workspace.load(config)
    with render.waiting("asking MLflow for retrain runs…", json_output):
        rows = command.history(workspace, trigger, window)
    if json_output:
        render.print_document("history", {"runs": rows})
        return
    _table(rows, workspace.config.model.metric)


def _table(rows: list[dict[str, Any]], metric: str) -> None:
    """One row per run, like ``check`` and ``status``; cells fold in a narrow terminal."""
    if not rows:
        render.line(
            "no retrain runs match; list every decision, fired or held, with `retrigger decisions`"
        )
        return
    table_rows = []
    for r in rows:
        version = f" v{r['promoted_version']}" if r["promoted_version"] else ""
        table_rows.append(
            [
                render.timestamp(r["started_at"]),
                r["decision_id"],
                ", ".join(r["trigger_types"]),
                f"{r['status']}{version}",
                _change(r),
                (r["git_commit"] or "—")[:8],
                f"{r['requested_by'] or '—'} / {r['approved_by'] or '—'}",
            ]
        )
    # Data versions and run ids are long: `--json` and `retrigger explain DECISION` have them.
    render.table(
        "retrain runs, newest first",
        ["started", "decision", "trigger", "status", metric, "commit", "requested / approved"],
        table_rows,
    )


def _change(run: dict[str, Any]) -> str:
    """Before → after; a retrain whose repro ran no stage built no model to compare."""
    if "registry" in run["trigger_types"]:  # a change made outside retrigger: its sentence
        return str(run["reason"])
    if run["status"] == "nothing-to-train":
        return f"{render.number(run['metric_before'])}, nothing trained"
    pair = f"{render.number(run['metric_before'])} → {render.number(run['metric_after'])}"
    return pair + (f" ({run['compared_on']})" if run.get("compared_on") else "")
