"""Which ``dvc repro`` a retrain runs: ``pipeline.command`` as configured, or — when a person
asked for the retrain (``run --force --reason``, Slack's ``/retrain``: a ``manual`` decision) —
one that trains whatever DVC thinks.

DVC skips a stage whose deps, params and outs match ``dvc.lock`` ("didn't change") and restores
one its run cache ran before on the same inputs ("is cached"): neither trains, so "try anyway"
after a refusal would restore the refused model. ``dvc repro --force`` runs a stage's command
in any case, and a forced stage does not consult the run cache (``dvc/stage/run.py``);
``--downstream STAGE`` limits it to STAGE and the stages that depend on it. A forced retrain
therefore runs, in order:

1. ``dvc repro UP…`` — the stages upstream of training, judged by DVC as usual: preparing new
   data runs (or comes from the run cache); it is not what the person asked to retry;
2. ``dvc repro --force --downstream TRAIN`` — the stage that writes ``model.artifact`` and every
   stage downstream of it (evaluation), run whatever DVC thinks.

When no stage in ``dvc.yaml`` writes ``model.artifact`` (a model only logged to MLflow) or
``pipeline.command`` names its own targets, every stage it reproduces is forced
(``dvc repro --force [targets]``). A command that is not ``dvc repro`` runs as it is, and the
plan says it could not be forced.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from retrigger.pipeline.dag import downstream, stage_graph, upstream, writer
from retrigger.pipeline.select import MANUAL

if TYPE_CHECKING:
    from retrigger.decision import Decision
    from retrigger.workspace import Workspace

# `-s` would drop `--downstream` (DVC plans no graph for a single item).
_DROPPED = frozenset({"-s", "--single-item", "-f", "--force", "--downstream"})


@dataclass(frozen=True)
class Repro:
    """The commands the repro step runs, in order, and what they force."""

    commands: list[list[str]]
    forced: list[str] = field(default_factory=list)  # stages run whatever DVC thinks
    note: str | None = None  # why a forced retrain forces nothing

    @property
    def shown(self) -> str:
        return " && ".join(shlex.join(args) for args in self.commands)


def forced(decision: Decision) -> bool:
    """A person asked for this retrain: train even if DVC would skip or restore the stage."""
    return MANUAL in decision.trigger_types


def for_decision(ws: Workspace, decision: Decision, command: list[str], resumed: bool) -> Repro:
    """The repro step of a retrain of ``decision``; ``resumed``: an earlier attempt's repro
    finished, and what it trained is found, not trained again."""
    force = forced(decision) and not resumed
    return plan(ws.root, command, ws.config.model.artifact, force)


def plan(root: Path, command: list[str], artifact: str | None, force: bool) -> Repro:
    """The repro step's commands for ``command`` (``pipeline.command``, split)."""
    if not force:
        return Repro([command])
    at = _repro_at(command)
    if at is None:
        return Repro(
            [command],
            note=(
                f"pipeline.command `{shlex.join(command)}` is not `dvc repro`: it runs as it "
                "is, and cannot be forced past DVC's up-to-date check and run cache"
            ),
        )
    base, rest = command[: at + 1], command[at + 1 :]
    flags = [arg for arg in rest if arg.startswith("-") and arg not in _DROPPED]
    targets = [arg for arg in rest if not arg.startswith("-")]
    graph = stage_graph(root)
    train = writer(graph, artifact) if artifact else None
    if train is None or targets:
        single = any(arg in ("-s", "--single-item") for arg in rest)
        chosen = targets if single else (upstream(graph, targets) + targets if targets else [])
        return Repro([[*command, "--force"]], chosen or list(graph))
    trains = downstream(graph, [train])
    before = upstream(graph, trains)
    commands = [[*base, *flags, *before]] if before else []
    commands.append([*base, *flags, "--force", "--downstream", train])
    return Repro(commands, trains)


def _repro_at(command: list[str]) -> int | None:
    """The index of ``repro`` in ``dvc repro …`` (or ``python -m dvc repro …``)."""
    names = [PurePath(arg).name for arg in command]
    return next(
        (i for i in range(1, len(names)) if names[i] == "repro" and names[i - 1] == "dvc"), None
    )
