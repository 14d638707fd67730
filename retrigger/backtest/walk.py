"""The commits to replay: those that changed a ``data:`` path or the metrics file, oldest first.

A data path changes through its ``.dvc`` file or through ``dvc.lock`` (a pipeline output); the
metrics file is committed beside them. In a shallow clone the history asked for may be missing:
that is bad input (exit 2) with the two ways out, never a shorter replay than asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from retrigger.config.models import RetriggerConfig
from retrigger.errors import BadInput
from retrigger.gitutil import resolve_rev
from retrigger.proc import run


@dataclass(frozen=True)
class Commit:
    sha: str
    time: datetime  # committer time: when the change landed on the branch
    subject: str


@dataclass(frozen=True)
class Span:
    """Which history to replay: ``--since`` or ``--from``, up to ``--to``."""

    since: timedelta | None = None
    from_rev: str | None = None
    to_rev: str = "HEAD"


def watched_paths(config: RetriggerConfig) -> list[str]:
    paths = [f"{PurePosixPath(p)}.dvc" for p in config.data]
    paths.append("dvc.lock")
    if config.model.metrics_file:
        paths.append(config.model.metrics_file)
    return paths


def commits(root: Path, span: Span, paths: list[str], now: datetime) -> list[Commit]:
    """The commits of ``span`` that touched ``paths``, oldest first."""
    to_sha = resolve_rev(root, span.to_rev)
    boundary = _shallow_boundary(root)
    cutoff = now - span.since if span.since is not None else None
    revs = [to_sha]
    if span.from_rev is not None:
        from_sha = _resolve_from(root, span.from_rev, boundary)
        revs = [f"{from_sha}..{to_sha}"]
    elif boundary:
        _refuse_if_cut(root, boundary, cutoff, now)
    args = ["git", "log", "--reverse", "--format=%H%x09%ct%x09%s", *revs]
    if cutoff is not None:
        args.append(f"--since=@{int(cutoff.timestamp())}")
    found = _parse(run([*args, "--", *paths], root, check=False).stdout)
    if span.from_rev is not None:
        found = _with_start(root, from_sha, paths) + found
    return found


def _resolve_from(root: Path, rev: str, boundary: list[str]) -> str:
    try:
        return resolve_rev(root, rev)
    except BadInput:
        if boundary:
            raise BadInput(
                f"--from {rev}: not in this shallow clone; run `git fetch "
                "--unshallow` or start later (--from a newer commit, --since)"
            ) from None
        raise BadInput(f"--from {rev}: no such git revision; pick one from `git log`") from None


def _with_start(root: Path, sha: str, paths: list[str]) -> list[Commit]:
    """``A..B`` leaves A out; ``--from A`` means from A on, so A counts when it changed a path."""
    out = run(
        ["git", "log", "-1", "--format=%H%x09%ct%x09%s", sha, "--", *paths], root, check=False
    ).stdout
    return [c for c in _parse(out) if c.sha == sha]


def _parse(text: str) -> list[Commit]:
    found = []
    for line in text.splitlines():
        sha, stamp, subject = [*line.split("\t", 2), "", ""][:3]
        if sha and stamp:
            found.append(Commit(sha, datetime.fromtimestamp(int(stamp), tz=UTC), subject))
    return found


def _shallow_boundary(root: Path) -> list[str]:
    """Commits whose parents this clone does not have (empty in a full clone)."""
    answer = run(["git", "rev-parse", "--is-shallow-repository"], root, check=False)
    if answer.stdout.strip() != "true":
        return []
    where = run(["git", "rev-parse", "--git-path", "shallow"], root, check=False).stdout.strip()
    shallow = Path(where) if Path(where).is_absolute() else root / where
    return shallow.read_text().split() if shallow.is_file() else []


def _refuse_if_cut(root: Path, boundary: list[str], cutoff: datetime | None, now: datetime) -> None:
    times = _parse(
        run(
            ["git", "log", "--no-walk", "--format=%H%x09%ct%x09%s", *boundary], root, check=False
        ).stdout
    )
    oldest = min((c.time for c in times), default=None)
    if oldest is None or (cutoff is not None and cutoff >= oldest):
        return
    days = max(int((now - oldest) / timedelta(days=1)), 1)
    asked = "the whole history" if cutoff is None else f"history since {cutoff:%Y-%m-%d}"
    raise BadInput(
        f"this clone is shallow: it has no history before {oldest:%Y-%m-%d} but "
        f"{asked} was asked; run `git fetch --unshallow` or pass a shorter "
        f"--since (at most {days}d)"
    )
