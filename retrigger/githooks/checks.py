"""The config-check hook: block a commit whose retrigger.yaml is invalid."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from retrigger.errors import EXIT_OK, ConfigError

if TYPE_CHECKING:
    from retrigger.githooks.engine import HookRepo


def config_check(repo: HookRepo, names: list[str]) -> int:
    """Exit 2 with ``config validate``'s message when the changed retrigger.yaml is invalid."""
    from retrigger.githooks.engine import config_in, validate_config

    name = config_in(names)
    if name is None:
        return EXIT_OK
    try:
        validate_config(repo.root, name)
    except ConfigError as exc:
        print(f"retrigger: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return EXIT_OK
