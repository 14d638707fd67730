"""``retrigger status``: what is waiting on people, on runners and on Slack."""

from __future__ import annotations

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("status")(status)


def status(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Pending approvals, approved retrains not started, the outbox backlog and dead letters."""
    from retrigger.commands.status import status as command
    from retrigger.workspace import Workspace

    report = command(Workspace.load(config))
    if json_output:
        render.print_document("status", report)
        return
    if report["retrain"] is not None:
        render.line(_retrain_line(report["retrain"]))
    pending = [
        [
            a["approval_id"],
            a["model"],
            a["requested_by"] or "?",
            render.timestamp(a["expires_at"]) + (" overdue" if a["overdue"] else ""),
        ]
        for a in report["pending_approvals"]
    ]
    if pending:
        render.table("pending approvals", ["approval", "model", "requested by", "expires"], pending)
    else:
        render.empty("pending approvals", "none")
    for a in report["pending_approvals"]:
        if a["undelivered"] is not None:
            render.line(
                f"approval {a['approval_id']} was never delivered to Slack (dead letter "
                f"{a['undelivered']}); resend: `retrigger outbox retry "
                f"{a['undelivered']}`"
            )
    for a in report["approved_not_started"]:
        render.line(
            f"approved, {a['state']}: {a['approval_id']} ({a['decision_id']}); "
            f"resume: `{a['resume']}`"
        )
    box = report["outbox"]
    render.line(
        f"outbox: {box['pending']} pending"
        + (
            f", oldest {box['oldest_age_s']:.0f}s old ({box['oldest']}), next attempt "
            f"{box['next_attempt_at']}"
            if box["pending"]
            else ""
        )
    )
    dead = [
        [str(d["id"]), d["kind"], d["channel"], str(d["attempts"]), str(d["last_error"])]
        for d in report["dead_letters"]
    ]
    if dead:
        render.table("dead letters", ["id", "kind", "channel", "attempts", "error"], dead)
    else:
        render.empty("dead letters", "none (every message was delivered or is still queued)")


def _retrain_line(r: dict[str, object]) -> str:
    who = f"decision {r['decision_id']} (attempt {r['attempt_id']}), pid {r['pid']}@{r['hostname']}"
    if r["runner"] == "alive":
        return f"retrain running: {who} since {render.timestamp(str(r['since']))}"
    pipeline = {
        "stopped": "its pipeline was stopped with it",
        "running": "its pipeline is still running",
    }.get(str(r["pipeline"]), "what became of its pipeline is unknown")
    return f"retrain interrupted: {who} died; {pipeline}; resume: `{r['resume']}`"
