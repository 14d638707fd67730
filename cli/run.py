"""``retrigger run``: retrain for a decision — gated, validated, pushed, recorded, promoted."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption
from retrigger.errors import BadInput, LockHeld, RetriggerError, WorkFailed

if TYPE_CHECKING:
    from retrigger.commands.run import GitRecord
    from retrigger.pipeline.outcome import Outcome


NOTIFY_DEADLINE_S = 10.0  # what is not delivered by then stays queued for the bot


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    decision: Annotated[
        str | None,
        typer.Option(
            "--decision", "-d", help="Decision id to act on (default: the latest decision)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Retrain even though the decision did not fire or was held, and even when "
            "DVC finds the training stage up to date or cached (`dvc repro --force` on it and "
            "what depends on it; recorded as trigger type manual; needs --reason).",
        ),
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", help="Why this forced retrain is needed (kept in the audit trail)."
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show the plan (stages, dvc dag, thresholds, champion); change nothing.",
        ),
    ] = False,
    approved: Annotated[
        bool,
        typer.Option(
            "--approved", help="Run every approved, not yet executed decision (CI runners)."
        ),
    ] = False,
    requested_by: Annotated[
        str | None,
        typer.Option(
            "--requested-by",
            help="Who asks for this run (default: $GITHUB_ACTOR, git user.email or $USER).",
        ),
    ] = None,
    github_output: Annotated[
        bool,
        typer.Option(
            "--github-output",
            help="Append status=, decision_id=, commit_files= to $GITHUB_OUTPUT "
            "(the pull request step reads them).",
        ),
    ] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Retrain the model for a decision through `dvc repro`, refuse a model that is not better
    than the registry's champion, push, record the MLflow run, and promote it last.

    Exit 0 promoted (or awaiting approval), 1 failed or refused by validation, 2 bad input,
    3 another retrain holds the lock.
    """
    if approved and (decision or force or dry_run):
        raise BadInput(
            "--approved runs every approved decision; drop --decision, --force and --dry-run"
        )
    if reason and not force:
        raise BadInput("--reason goes with --force; drop it or add --force")
    output_file = github_output_file() if github_output else None
    from retrigger.commands.run import Request, record_in_git, report_outcome, run_approved
    from retrigger.commands.run import run as run_one
    from retrigger.workspace import Workspace

    say = _progress(json_output)
    with _document_on_error(json_output, decision):
        workspace = Workspace.load(config)
        if approved:
            outcomes = run_approved(workspace, requested_by, say)
        else:
            request = Request(decision, force, reason, requested_by)
            outcomes = [run_one(workspace, request, say, dry_run=dry_run)]
    record = None
    if approved:
        _show_many(outcomes, json_output)
    else:
        record = record_in_git(workspace, outcomes[0])
        if json_output:
            render.print_document("run", {**outcomes[0].as_json(), "git": _git_json(record)})
        else:
            show(outcomes[0])
            _show_git(record)
    for outcome in outcomes:
        report_outcome(outcome, os.environ, sys.stderr if json_output else sys.stdout)
    if output_file is not None and outcomes:
        _append_outputs(output_file, outcomes[-1], record)
    from retrigger.notify import deliver_pending

    deliver_pending(workspace, NOTIFY_DEADLINE_S)  # started / succeeded / failed / approval
    failed = [o for o in outcomes if o.exit_code]
    if failed and json_output:
        raise WorkFailed(failed[0].message)  # stdout holds JSON: say it once on stderr
    if failed:
        raise typer.Exit(failed[0].exit_code)  # the table above already said why


@contextmanager
def _document_on_error(json_output: bool, decision: str | None) -> Iterator[None]:
    """With ``--json`` stdout holds one document whatever the exit code: a retrain that never
    started (the lock is held: 3, bad input: 2) says so there too, and once on stderr."""
    try:
        yield
    except RetriggerError as exc:
        if json_output:
            status = "lock-held" if isinstance(exc, LockHeld) else "not-started"
            render.print_document(
                "run",
                {
                    "decision_id": decision,
                    "status": status,
                    "message": str(exc),
                    "exit_code": exc.exit_code,
                },
            )
        raise


def github_output_file() -> Path:
    name = os.environ.get("GITHUB_OUTPUT")
    if not name:
        raise BadInput(
            "--github-output needs $GITHUB_OUTPUT (set by GitHub Actions); "
            "outside Actions, set it to a file path or drop the flag"
        )
    return Path(name)


def _append_outputs(path: Path, outcome: Outcome, record: GitRecord | None) -> None:
    lines = [
        f"status={outcome.status}",
        f"decision_id={outcome.decision_id}",
        f"model_version={outcome.model_version or ''}",
        f"commit_files={' '.join(record.files) if record else ''}",
    ]
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _git_json(record: GitRecord | None) -> dict[str, object] | None:
    if record is None:
        return None
    return {"files": record.files, "command": record.command, "commit": record.commit_id}


def _show_git(record: GitRecord | None) -> None:
    if record is None:
        return
    if record.commit_id:
        render.line(
            f"committed {' '.join(record.files)} as {record.commit_id[:10]} (pipeline.commit: true)"
        )
    else:
        render.line(
            "git still holds the previous model's dvc.lock; record this one with:", style="bold"
        )
        render.line(f"  {record.command}")


def _progress(json_output: bool) -> Callable[[str], None]:
    if json_output:  # stdout holds the one JSON document; progress goes to stderr
        return lambda text: print(text, file=sys.stderr, flush=True)
    return lambda text: render.line(text)


def _show_many(outcomes: list[Outcome], json_output: bool) -> None:
    if json_output:
        render.print_document("runs", {"runs": [o.as_json() for o in outcomes]})
        return
    if not outcomes:
        render.line("no approved decision is waiting to run")
    for outcome in outcomes:
        show(outcome)


def show(outcome: Outcome) -> None:
    if outcome.plan is not None:
        _show_plan(outcome)
        return
    if outcome.steps:
        rows = [
            [str(s["name"]), str(s["status"]), f"{s['seconds'] or 0:.1f}s", str(s["detail"] or "")]
            for s in outcome.steps
        ]
        render.table(f"attempt {outcome.attempt_id}", ["step", "status", "time", "detail"], rows)
    if outcome.metric_after is not None:
        render.line(
            f"{outcome.metric}: before {render.number(outcome.metric_before)}, "
            f"after {render.number(outcome.metric_after)}"
            + (f" ({outcome.compared_on})" if outcome.compared_on else "")
        )
    style = "bold green" if outcome.exit_code == 0 else "bold red"
    message = outcome.message
    # "promoted churn v2 to @champion" says its status already; "PROMOTED: promoted ..." twice
    headline = (
        message[:1].upper() + message[1:]
        if message.lower().startswith(outcome.status.lower().replace("-", " ")[:8])
        else f"{outcome.status.upper()}: {message}"
    )
    render.line(headline, style=style)
    if outcome.run_id:
        render.note(
            f"MLflow run {outcome.run_id}; `retrigger explain {outcome.decision_id}` "
            "tells the whole story"
        )


def _show_plan(outcome: Outcome) -> None:
    plan = outcome.plan or {}
    render.line(
        f"DRY RUN for decision {outcome.decision_id}: would {plan.get('would')}", style="bold"
    )
    render.line(
        f"command: {plan.get('command')} (pull: {plan.get('pull')}, push: "
        f"{plan.get('push')}, remote: {plan.get('remote') or '-'})"
    )
    render.line(f"stages run with python: {plan.get('python')}")
    stages = plan.get("stages") or []
    render.line("stages the retrain will run: " + (", ".join(stages) or "none (up to date)"))
    data = plan.get("data") or {}
    render.line(
        "trains on: "
        + (", ".join(f"{p}@{str(m)[:8]}" for p, m in data.items()) or "-")
        + f"; model written to {plan.get('model_artifact')}"
    )
    render.line("dvc dag:\n" + str(plan.get("dag") or ""))
    thresholds = plan.get("thresholds") or {}
    render.table("validation gate", ["key", "value"], [[k, str(v)] for k, v in thresholds.items()])
    champion = plan.get("champion")
    render.line(
        "champion: "
        + (
            f"v{champion['version']} (run {champion['run_id']}, "
            f"recorded {render.number(champion['recorded_metric'])})"
            if champion
            else "none yet: the challenger is judged against "
            "the baseline run (or the floor alone without one)"
        )
    )
    for note in plan.get("notes") or []:
        render.line(f"note: {note}")
    render.line("nothing was changed")
