"""``retrigger push``: ``dvc push``, proof that the remote has the data, one arrival event.

``dvc push`` exits 0 even when an object is missing from the local cache (it only warns), so
success is judged afterwards by what the remote holds (``retrigger.data.remote``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.data.delta import DeltaReport, compute_delta, from_md5s
from retrigger.data.remote import verify_on_remote
from retrigger.data.versions import WORKTREE, OutVersion, out_version
from retrigger.errors import (
    BadInput,
    RetriggerError,
    StateStoreLocked,
    StateStoreUnavailable,
    WorkFailed,
)
from retrigger.proc import run

if TYPE_CHECKING:
    from retrigger.decision import Decision
    from retrigger.store.arrivals import Arrival
    from retrigger.workspace import Workspace


@dataclass(frozen=True)
class PushOutcome:
    report: DeltaReport
    arrival: Arrival
    recorded: bool  # False: this data version had already arrived
    reference: str  # what the delta is measured from
    dvc_output: str = ""
    decision: Decision | None = None
    covered_by: str | None = None  # the earlier decision that already answers this version
    spooled: str | None = None  # why the arrival was kept in the spool, not the store

    def summary_lines(self) -> list[str]:
        """What a person reads after a push: the arrival, its delta, the check's decision."""
        version = self.arrival.data_version
        if self.spooled is not None:
            head = f"data version {version} arrived on the DVC remote; {self.spooled}"
        elif self.recorded:
            head = f"data version {version} arrived on the DVC remote (recorded)"
        else:
            head = (
                f"data version {version} is on the DVC remote (already recorded: nothing "
                "new arrived)"
            )
        lines = [head, f"delta since {self.reference}:"]
        lines += [f"  {line}" for line in self.report.summary_lines()]
        if self.decision is not None:
            fired = ", ".join(self.decision.trigger_types) or "none"
            lines.append(
                f"check {self.decision.id}: fire={self.decision.fire} (fired: {fired})"
                + (f", held by {self.decision.held_by}" if self.decision.held_by else "")
            )
        if self.covered_by is not None:
            lines.append(
                f"check: decision {self.covered_by} already covers data version {version} "
                "(no new decision)"
            )
        return lines


def push(
    workspace: Workspace,
    dvc_args: Sequence[str],
    *,
    source: str = "push",
    run_dvc: bool = True,
    base_rev: str | None = None,
    spool: bool = False,
) -> PushOutcome:
    """Push (unless DVC's own hook just did), verify the remote, record the arrival once.

    The delta is measured from the previous arrival, else from ``base_rev`` (the commit the
    git remote had, known in a pre-push hook), else from the data the model was trained on.
    ``spool`` (a hook): a state store that is locked or down keeps the arrival in the spool
    (replayed by the next command that opens the store) instead of failing; no check runs.
    """
    root, paths = workspace.root, workspace.config.data
    if not paths:
        raise BadInput(
            "`data:` in retrigger.yaml is empty; list the DVC-tracked paths the model trains on"
        )
    from retrigger.commands.delta import check_repo

    check_repo(root)
    current = {p: out_version(root, p, WORKTREE) for p in paths}  # bad input before any push
    output = run_dvc_push(root, dvc_args) if run_dvc else ""
    verify_on_remote(root, paths, remote_of(dvc_args))
    outcome = record_arrival(workspace, current, source, base_rev, spool)
    decision = covered_by = None
    if workspace.config.hooks.check_on_push and outcome.spooled is None:
        from retrigger.commands.check import check_arrival

        answer = check_arrival(workspace, outcome.arrival.data_version)
        decision, covered_by = answer.decision, answer.covered_by
    return PushOutcome(
        outcome.report,
        outcome.arrival,
        outcome.recorded,
        outcome.reference,
        output,
        decision,
        covered_by,
        outcome.spooled,
    )


def run_dvc_push(root: Path, args: Sequence[str]) -> str:
    result = run(["dvc", "push", *args], root, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise WorkFailed(f"`dvc push` failed: {tail[0]}")
    return (result.stdout + result.stderr).strip()


def remote_of(args: Sequence[str]) -> str | None:
    """The ``-r/--remote`` named in ``dvc push`` arguments, if any."""
    for index, arg in enumerate(args):
        if arg in ("-r", "--remote") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--remote="):
            return arg.split("=", 1)[1]
        if arg.startswith("-r") and len(arg) > 2:
            return arg[2:]
    return None


@dataclass(frozen=True)
class _Recorded:
    report: DeltaReport
    arrival: Arrival
    recorded: bool
    reference: str
    spooled: str | None = None


def record_arrival(
    workspace: Workspace,
    current: dict[str, OutVersion],
    source: str,
    base_rev: str | None = None,
    spool: bool = False,
) -> _Recorded:
    from retrigger.store import arrivals

    try:
        previous = arrivals.latest(workspace.store, workspace.config.model.name)
    except (StateStoreLocked, StateStoreUnavailable) as exc:
        if not spool:
            raise
        return _spooled(workspace, _arrival(workspace, current, source, None, base_rev), exc)
    made = _arrival(workspace, current, source, previous, base_rev)
    try:
        recorded = arrivals.record(
            workspace.store,
            made.arrival,
            channel=workspace.config.slack.channel,
            links=_links(workspace, made.arrival),
        )
    except (StateStoreLocked, StateStoreUnavailable) as exc:
        if not spool:
            raise
        return _spooled(workspace, made, exc)
    return _Recorded(made.report, made.arrival, recorded, made.reference)


def _links(workspace: Workspace, arrival: Arrival) -> dict[str, str]:
    """The arrival's links. MLflow (for the runs on this data) is asked only when this push
    checks afterwards and so talks to MLflow anyway: a hook that only records must not."""
    from retrigger.notify import linking

    found = linking.where if workspace.config.hooks.check_on_push else linking.offline
    return found(workspace).links(arrival.model, data_version=arrival.data_version)


def _spooled(workspace: Workspace, made: _Recorded, exc: RetriggerError) -> _Recorded:
    """Keep the arrival for the next command that opens the store; say so in one line."""
    from retrigger.store import spool

    why = (
        "the state store is locked by another process"
        if isinstance(exc, StateStoreLocked)
        else str(exc)
    )
    try:
        path = spool.keep(workspace.spool_folder, made.arrival, workspace.config.slack.channel)
    except OSError as error:
        raise StateStoreUnavailable(
            f"{exc}; the arrival could not be kept in {workspace.spool_folder} either "
            f"({error.strerror or error}): run `retrigger push` once the state store answers"
        ) from None
    shown = path.relative_to(workspace.root) if path.is_relative_to(workspace.root) else path
    checked = "; run `retrigger check` then" if workspace.config.hooks.check_on_push else ""
    line = f"not recorded yet, {why}: kept in {shown}, the next retrigger command records it"
    return replace(made, recorded=False, spooled=line + checked)


def _arrival(
    workspace: Workspace,
    current: dict[str, OutVersion],
    source: str,
    previous: Arrival | None,
    base_rev: str | None,
) -> _Recorded:
    """The arrival and its delta (``recorded`` is False until the store takes it)."""
    from retrigger.gitutil import head_commit
    from retrigger.store import arrivals

    model = workspace.config.model.name
    md5s, version, reference = _reference(workspace, previous, base_rev, list(current))
    report = compute_delta(
        workspace.root,
        from_md5s(list(current), md5s),
        current,
        old_version=version,
        worktree_new=True,
    )
    arrival = arrivals.Arrival(
        model=model,
        data_version=report.data_version_new,
        created_at=workspace.clock(),
        source=source,
        git_commit=head_commit(workspace.root),
        paths={p: str(o.md5) for p, o in current.items()},
        delta=report.as_json(),
    )
    return _Recorded(report, arrival, False, reference)


def _reference(
    workspace: Workspace, previous: Arrival | None, base_rev: str | None, paths: list[str]
) -> tuple[dict[str, str], str | None, str]:
    """The previous arrival, else ``base_rev``, else the data the model was trained on."""
    if previous is not None:
        return previous.paths, previous.data_version, "previous arrival"
    if base_rev is not None:
        from retrigger.data.versions import optional_version

        found = {p: optional_version(workspace.root, p, base_rev) for p in paths}
        md5s = {p: v.md5 for p, v in found.items() if v is not None and v.md5 is not None}
        return md5s, None, f"the git remote's {base_rev[:8]}"
    from retrigger.lineage.trained import trained

    try:
        ref = trained(workspace.tracking)
    except RetriggerError:
        return {}, None, "none (MLflow did not answer)"
    return ref.md5s, ref.data_version, ref.source
