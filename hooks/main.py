"""``retrigger-hook NAME [ARGS]``: the git / pre-commit hooks, without typer or rich.

A hook must cost nearly nothing when nothing data-related changed, so this front door parses
its few arguments by hand and imports the engine only for the work at hand. A hook never
crashes a commit with a traceback: problems are one warning line, and only an invalid
``retrigger.yaml`` (``config-check``) blocks.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from retrigger.errors import EXIT_INTERRUPTED, EXIT_OK, RetriggerError

USAGE = ("usage: retrigger-hook {data-delta|config-check|pre-commit|pre-push} [ARGS...]\n"
         "  data-delta            print the delta of staged data versions (never blocks)\n"
         "  config-check [FILES]  block the commit when retrigger.yaml is invalid\n"
         "  pre-commit            both of the above (the installed git hook)\n"
         "  pre-push REMOTE URL   record a data arrival after DVC's own pre-push hook")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not args else sys.stdout)
        return EXIT_OK if args else 2
    name, rest = args[0], args[1:]
    handler = _HANDLERS.get(name)
    if handler is None:
        print(f"retrigger-hook: unknown hook {name!r}\n{USAGE}", file=sys.stderr)
        return 2
    return guarded(name, lambda: handler(rest))


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
    from retrigger.hooks_engine import data_delta_lines, hook_repo, staged_names

    repo = hook_repo(Path.cwd())
    if repo is not None:
        for line in data_delta_lines(repo, staged_names(repo.root)):
            print(line)
    return EXIT_OK


def config_check(args: list[str]) -> int:
    from retrigger.hooks.checks import config_check as run_check
    from retrigger.hooks_engine import hook_repo, staged_names

    repo = hook_repo(Path.cwd())
    return EXIT_OK if repo is None else run_check(repo, args or staged_names(repo.root))


def pre_commit(_args: list[str]) -> int:
    """Both pre-commit hooks over one look at the repo (a commit pays for git once)."""
    from retrigger.hooks_engine import config_in, data_delta_lines, hook_repo, staged_names

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
    from retrigger.hooks.checks import config_check as run_check

    return run_check(repo, names)


def pre_push(args: list[str]) -> int:
    import os

    from retrigger.hooks.checks import pre_push as run_pre_push

    lines = sys.stdin.read().splitlines() if not sys.stdin.isatty() else []
    # Under pre-commit, git's stdin went to pre-commit, which passes the refs as variables.
    pushed, before = os.environ.get("PRE_COMMIT_TO_REF"), os.environ.get("PRE_COMMIT_FROM_REF")
    if not lines and pushed and before:
        lines = [f"HEAD {pushed} HEAD {before}"]
    return run_pre_push(args, lines)


_HANDLERS: dict[str, Callable[[list[str]], int]] = {
    "data-delta": data_delta, "config-check": config_check, "pre-commit": pre_commit,
    "pre-push": pre_push,
}


def entrypoint() -> None:
    sys.exit(main())
