"""``retrigger hooks install|uninstall`` and the hooks themselves (``retrigger hook NAME``,
and the light ``retrigger-hook NAME`` the installed git hooks and pre-commit call).

Kept light: a hook must cost nearly nothing when nothing data-related changed, so this module
imports stdlib only and the engine inside the hook that needs it (``python -X importtime``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from retrigger.errors import EXIT_INTERRUPTED, EXIT_OK, BadInput, RetriggerError

NOTIFY_DEADLINE_S = 5.0  # a pre-push hook must not hold a push up for long


def install(root: Path, pre_commit: bool, with_dvc: bool = False) -> list[str]:
    """Install the hooks (git's, or ``repo: local`` pre-commit entries); what changed, in words.

    ``with_dvc`` also installs DVC's hooks (``dvc install``, or ``dvc install
    --use-pre-commit-tool`` beside the pre-commit entries), in the order that works.
    """
    if pre_commit:
        from retrigger.githooks import precommit_config

        if with_dvc:
            _dvc_pre_commit(root)
        action = precommit_config.install(root)
        return [
            f"{precommit_config.FILE}: {action}; then run `pre-commit install "
            "--hook-type pre-commit --hook-type pre-push`"
        ]
    from retrigger.githooks.install import dvc_hooks_present, hooks_dir
    from retrigger.githooks.install import install as install_hooks

    lines = [change.describe() for change in install_hooks(root, with_dvc)]
    if (root / ".dvc").is_dir() and not dvc_hooks_present(hooks_dir(root)):
        lines.append(
            "DVC's hooks are not installed (so no `dvc push` runs on git push): "
            "`retrigger hooks install --with-dvc` adds them; plain `dvc install` "
            "refuses while these hooks exist"
        )
    return lines


def _dvc_pre_commit(root: Path) -> None:
    """DVC's entries, then ours after them: pre-commit runs hooks in the file's order, and our
    pre-push must see what `dvc push` sent."""
    from retrigger.githooks import precommit_config
    from retrigger.proc import run

    precommit_config.uninstall(root)  # put back right after, below DVC's
    result = run(["dvc", "install", "--use-pre-commit-tool"], root, check=False)
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BadInput(f"`dvc install --use-pre-commit-tool` failed: {reason[0]}")


def uninstall(root: Path, pre_commit: bool) -> list[str]:
    """Remove retrigger's hooks and put back whatever was there before."""
    if pre_commit:
        from retrigger.githooks import precommit_config

        return [f"{precommit_config.FILE}: {precommit_config.uninstall(root)}"]
    from retrigger.githooks.install import uninstall as uninstall_hooks

    return [change.describe() for change in uninstall_hooks(root)]


def repository(cwd: Path) -> Path:
    """The git root hooks are installed in; ``BadInput`` outside git."""
    from retrigger.gitutil import repo_root

    root = repo_root(cwd)
    if root is None:
        raise BadInput(f"{cwd} is not inside a git repository; run `git init` first")
    return root


def hook(name: str, args: list[str]) -> int:
    """Run one hook by name (a key of ``HOOKS``), guarded: it never crashes a commit."""
    handler = HOOKS[name]
    return guarded(name, lambda: handler(args))


def run_hook(name: str, args: list[str]) -> int:
    """Run one hook by name (a key of ``HOOKS``), guarded: it never crashes a commit."""
    handler = HOOKS[name]
    return guarded(name, lambda: handler(args))


def guarded(name: str, work: Callable[[], int]) -> int:
    """Run one hook: known problems and surprises alike become one warning and exit 0."""
    try:
        return work()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except RetriggerError as exc:
        warn(f"{name}: {exc}")
    except Exception as exc:  # a hook must never stop a commit with a traceback
        warn(f"{name} failed ({type(exc).__name__}: {exc}); the commit goes on")
    return EXIT_OK


def warn(text: str) -> None:
    print(f"retrigger: warning: {text}", file=sys.stderr)


def data_delta(_args: list[str]) -> int:
    from retrigger.githooks.engine import data_delta_lines, hook_repo, staged_names

    repo = hook_repo(Path.cwd())
    if repo is not None:
        for line in data_delta_lines(repo, staged_names(repo.root)):
            print(line)
    return EXIT_OK


def config_check(args: list[str]) -> int:
    from retrigger.githooks.checks import config_check as run_check
    from retrigger.githooks.engine import hook_repo, staged_names

    repo = hook_repo(Path.cwd())
    return EXIT_OK if repo is None else run_check(repo, args or staged_names(repo.root))


def pre_commit(_args: list[str]) -> int:
    """Both pre-commit hooks over one look at the repo (a commit pays for git once)."""
    from retrigger.githooks.engine import config_in, data_delta_lines, hook_repo, staged_names

    repo = hook_repo(Path.cwd())
    if repo is None:
        return EXIT_OK
    names = staged_names(repo.root)

    def delta() -> int:
        for line in data_delta_lines(repo, names):
            print(line)
        return EXIT_OK

    guarded("data-delta", delta)
    if config_in(names) is None:
        return EXIT_OK
    from retrigger.githooks.checks import config_check as run_check

    return run_check(repo, names)


def pre_push(args: list[str]) -> int:
    import os

    lines = sys.stdin.read().splitlines() if not sys.stdin.isatty() else []
    # Under pre-commit, git's stdin went to pre-commit, which passes the refs as variables.
    pushed, before = os.environ.get("PRE_COMMIT_TO_REF"), os.environ.get("PRE_COMMIT_FROM_REF")
    if not lines and pushed and before:
        lines = [f"HEAD {pushed} HEAD {before}"]
    return _record_pushed_data(args, lines)


HOOKS: dict[str, Callable[[list[str]], int]] = {
    "data-delta": data_delta,
    "config-check": config_check,
    "pre-commit": pre_commit,
    "pre-push": pre_push,
}


def _record_pushed_data(_args: list[str], ref_lines: list[str]) -> int:
    """After DVC's own pre-push hook pushed the data: verify it and record the arrival."""
    from retrigger.githooks.engine import CONFIG_NAMES, dvc_push_ran, hook_repo, pushed_data

    repo = hook_repo(Path.cwd())
    if repo is None:
        return EXIT_OK
    carries, base = pushed_data(repo.root, ref_lines)
    if not carries or not dvc_push_ran(repo.root):
        # Without DVC's pre-push hook nothing was sent to the DVC remote: no arrival to
        # record, and "the remote still lacks the data" would only be noise.
        return EXIT_OK
    config = next((repo.root / n for n in CONFIG_NAMES if (repo.root / n).is_file()), None)
    if config is None:
        return EXIT_OK  # a DVC repo that does not use retrigger
    from retrigger.commands.push import push
    from retrigger.notify import deliver_pending
    from retrigger.workspace import Workspace

    workspace = Workspace.load(config)
    # A busy state store must not hold the push up past its bound, nor lose the arrival.
    outcome = push(workspace, [], source="pre-push", run_dvc=False, base_rev=base, spool=True)
    for line in outcome.summary_lines():
        print(f"retrigger: {line}")
    if outcome.spooled is None:  # the store did not answer: delivering would wait again
        deliver_pending(workspace, NOTIFY_DEADLINE_S)
    return EXIT_OK
