"""``retrigger-hook NAME [ARGS]``: the git / pre-commit hooks, without typer or rich.

A hook must cost nearly nothing when nothing data-related changed, so this front door parses
its few arguments by hand and imports the engine only for the work at hand. A hook never
crashes a commit with a traceback: problems are one warning line, and only an invalid
``retrigger.yaml`` (``config-check``) blocks.
"""

from __future__ import annotations

import sys

from retrigger.commands.hooks import HOOKS, hook
from retrigger.errors import EXIT_OK

USAGE = (
    "usage: retrigger-hook {data-delta|config-check|pre-commit|pre-push} [ARGS...]\n"
    "  data-delta            print the delta of staged data versions (never blocks)\n"
    "  config-check [FILES]  block the commit when retrigger.yaml is invalid\n"
    "  pre-commit            both of the above (the installed git hook)\n"
    "  pre-push REMOTE URL   record a data arrival after DVC's own pre-push hook"
)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not args else sys.stdout)
        return EXIT_OK if args else 2
    name, rest = args[0], args[1:]
    if name not in HOOKS:
        print(f"retrigger-hook: unknown hook {name!r}\n{USAGE}", file=sys.stderr)
        return 2
    return hook(name, rest)


def entrypoint() -> None:
    sys.exit(main())
