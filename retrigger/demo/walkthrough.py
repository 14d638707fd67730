"""``retrigger demo``: the whole story on embedded defaults, narrated step by step.

Each step is a function of the project folder; later features add their steps to ``STEPS``.
"""

from __future__ import annotations

import io
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from retrigger.commands.check import check as run_check
from retrigger.decision import Decision
from retrigger.demo import project
from retrigger.demo.arrival import step_data_arrival
from retrigger.demo.retrain import step_audit, step_gate, step_retrain
from retrigger.proc import RETRIGGER_BIN
from retrigger.workspace import Workspace

Say = Callable[[str], None]


@dataclass
class DemoState:
    root: Path
    say: Say
    workspace: Workspace | None = None
    baseline_run: str | None = None
    decisions: list[Decision] = field(default_factory=list)

    @property
    def ws(self) -> Workspace:
        if self.workspace is None:
            self.workspace = Workspace.load(self.root / "retrigger.yaml")
        return self.workspace


def step_build(state: DemoState) -> None:
    state.say(f"1. Building a git + DVC project with a scikit-learn stage in {state.root}")
    project.build_project(state.root)
    state.baseline_run = project.record_baseline(state.ws)
    state.say(
        f"   trained churn model v1; MLflow baseline run {state.baseline_run} "
        "(tag retrigger.baseline=true)"
    )


def step_check_quiet(state: DemoState) -> None:
    decision = run_check(state.ws)
    state.decisions.append(decision)
    state.say(f"2. retrigger check on unchanged data → fire={decision.fire} ({decision.id})")


def step_degrade(state: DemoState) -> None:
    state.say("3. New production data arrives (3000 shifted rows, committed with dvc add)")
    project.degrade(state.root)
    state.say(f"   monitoring: {project.monitor(state.root)} (metrics.json committed)")
    project.commit_monitoring(state.root)


def step_check_fires(state: DemoState) -> None:
    decision = run_check(state.ws)
    state.decisions.append(decision)
    state.say(
        f"4. retrigger check → fire={decision.fire}, triggers: "
        f"{', '.join(decision.trigger_types) or 'none'} ({decision.id})"
    )
    for reading in decision.readings:
        state.say(f"   - {reading.kind}: {'FIRED' if reading.fired else 'ok'}: {reading.detail}")


def step_notify(state: DemoState) -> None:
    """What the team saw in #ml-ops, delivered from the outbox to the console: the demo runs on
    embedded defaults and never posts to a real Slack, even with SLACK_BOT_TOKEN set."""
    from retrigger.notify.delivery import deliver_pending
    from retrigger.notify.transport import ConsoleTransport
    from retrigger.notify.worker import Worker

    printed = io.StringIO()
    worker = Worker(state.ws.store, ConsoleTransport(printed), state.ws.clock, console=True)
    tally = deliver_pending(state.ws, 5.0, worker=worker)
    state.say(
        f"10. What {state.ws.config.slack.channel} was told ({tally.delivered} messages "
        "from the outbox; with SLACK_BOT_TOKEN set, `retrigger bot` posts them to Slack)"
    )
    for line in printed.getvalue().splitlines():
        state.say(f"   {line}")


STEPS: list[Callable[[DemoState], None]] = [
    step_build,
    step_check_quiet,
    step_degrade,
    step_check_fires,
    step_data_arrival,
    step_retrain,
    step_gate,
    step_audit,
    step_notify,
]


def run_demo(root: Path, say: Say) -> DemoState:
    state = DemoState(root=root, say=say)
    for step in STEPS:
        step(state)
    say("")
    say("Where to look next:")
    for line in closing_commands(root, state.decisions):
        say(f"  {line}")
    return state


def closing_commands(root: Path, decisions: list[Decision]) -> list[str]:
    """What to try next, runnable as printed: when ``retrigger`` or ``mlflow`` on PATH is not
    this installation's (a venv not activated), activate it first, else name them by path."""
    fired = [d.id for d in decisions if d.fire]
    story = fired[-1] if fired else "DECISION_ID"
    lines = [f"cd {shlex.quote(str(root))}"]
    here = Path(RETRIGGER_BIN)
    found = {name: shutil.which(name) for name in ("retrigger", "mlflow")}
    missing = [name for name, path in found.items() if path is None or Path(path).parent != here]
    activate = here / "activate"
    tools = {name: name for name in ("retrigger", "mlflow")}
    if missing and activate.is_file():
        lines.append(f"source {shlex.quote(str(activate))}   # retrigger and mlflow live here")
    else:
        tools.update({name: shlex.quote(str(here / name)) for name in missing})
    rt, ml = tools["retrigger"], tools["mlflow"]
    return [
        *lines,
        f"{rt} check                 # the decision table, stored in .retrigger/state.db",
        f"{rt} config show           # every threshold and where it came from",
        f"{rt} history               # every retrain: why, on which data, promoted?",
        f"{rt} explain {story}   # the whole story of one retrain",
        f"{ml} ui --backend-store-uri sqlite:///mlflow.db   # the baseline run",
    ]
