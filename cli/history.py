"""``retrigger history``: retrain runs from MLflow, newest first."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("history")(history)


def history(
    trigger: Annotated[str | None, typer.Option(
        "--trigger", help="Only retrains this trigger type set off: performance, drift, "
        "schedule, volume or manual.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only retrains started within this duration, e.g. 30d, 12h.")] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """List retrain runs: when, why (trigger types, decision), on which data and commit, the
    metric before and after, the status and promoted version, who asked and who approved."""
    from retrigger.commands import history as command
    from retrigger.workspace import Workspace

    window = command.window(since)
    workspace = Workspace.load(config)
    rows = command.history(workspace, trigger, window)
    if json_output:
        render.print_json(rows)
        return
    _table(rows, workspace.config.model.metric)


def _table(rows: list[dict[str, Any]], metric: str) -> None:
    """Two lines per run, so it reads in an 80-column terminal and greps by decision id."""
    if not rows:
        render.line("no retrain runs match")
        return
    for r in rows:
        version = f" v{r['promoted_version']}" if r["promoted_version"] else ""
        render.line(f"{r['started_at'][:16].replace('T', ' ')}  {r['decision_id']}  "
                    f"{','.join(r['trigger_types'])}  {r['status']}{version}  {metric} "
                    f"{render.number(r['metric_before'])} → {render.number(r['metric_after'])}")
        data = " ".join(f"{p}={m[:10]}" for p, m in r["data_paths"].items())
        render.line(f"    data {data or '—'}  commit {(r['git_commit'] or '—')[:10]}  "
                    f"requested by {r['requested_by'] or '—'}, approved by "
                    f"{r['approved_by'] or '—'}  run {r['run_id']}")
