"""Demo steps: the fired decision retrains, is validated, pushed, recorded and promoted; a forced
retrain after a refactor builds the same model and is refused by the gate; then the audit trail
answers why."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from retrigger.demo import project

if TYPE_CHECKING:
    from retrigger.demo.walkthrough import DemoState


def step_retrain(state: DemoState) -> None:
    from retrigger.commands.run import run
    from retrigger.data.remote import default_remote
    from retrigger.pipeline.select import Request

    fired = next(d for d in reversed(state.decisions) if d.fire)
    state.say(
        f"6. retrigger run --decision {fired.id}: lock, dvc repro, validate against the "
        "registry's champion, dvc push, record the MLflow run, promote last"
    )
    if default_remote(state.root) is None:  # the data-arrival step normally adds it
        project.sh(state.root, "dvc", "remote", "add", "-d", "demo", project.DEMO_REMOTE)
    outcome = run(state.ws, Request(decision_id=fired.id), _indented(state))
    state.say(f"   → {outcome.status}: {outcome.message}")
    state.say(
        f"   accuracy {outcome.metric_before} → {outcome.metric_after}; MLflow run "
        f"{outcome.run_id}, models:/{state.ws.config.model.name}/{outcome.model_version}"
    )


def step_gate(state: DemoState) -> None:
    from retrigger.commands.run import run
    from retrigger.pipeline.select import Request

    state.say(
        "7. A refactor of features.py (a comment) and retrigger run --force --reason "
        "'refactor': the stage reruns on the same data, builds the same model, and the gate "
        "refuses to promote what is not better"
    )
    features = state.root / "features.py"
    features.write_text(features.read_text() + "\n# refactor: no change in behaviour\n")
    project.sh(state.root, "git", "commit", "-q", "-am", "features.py: a comment")
    outcome = run(
        state.ws, Request(force=True, reason="refactor: show the gate"), lambda _line: None
    )
    state.say(f"   → {outcome.status} (exit {outcome.exit_code}): {outcome.message}")


def step_audit(state: DemoState) -> None:
    from retrigger.commands.explain import explain
    from retrigger.commands.explain_lines import story_lines
    from retrigger.commands.history import history

    state.say("8. retrigger history: every retrain, newest first")
    for row in history(state.ws):
        state.say(
            f"   {row['started_at'][:19]}  {row['decision_id']}  "
            f"{','.join(row['trigger_types'])}  {row['status']}"
            + (f" v{row['promoted_version']}" if row["promoted_version"] else "")
            + f"  accuracy {row['metric_before']} → {row['metric_after']}"
        )
    fired = next(d for d in reversed(state.decisions) if d.fire)
    state.say(f"9. retrigger explain {fired.id}: why it retrained, and on what data")
    for line in story_lines(explain(state.ws, fired.id)):
        state.say(f"   {line}")


def _indented(state: DemoState) -> Callable[[str], None]:
    return lambda text: state.say(f"   {text}")
