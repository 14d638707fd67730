"""The config-check and pre-push hooks (the data-delta one lives in ``main`` for speed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.errors import EXIT_OK, ConfigError

if TYPE_CHECKING:
    from retrigger.hooks_engine import HookRepo


NOTIFY_DEADLINE_S = 5.0  # a pre-push hook must not hold a push up for long


def config_check(repo: HookRepo, names: list[str]) -> int:
    """Exit 2 with ``config validate``'s message when the changed retrigger.yaml is invalid."""
    from retrigger.hooks_engine import config_in, validate_config

    name = config_in(names)
    if name is None:
        return EXIT_OK
    try:
        validate_config(repo.root, name)
    except ConfigError as exc:
        print(f"retrigger: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return EXIT_OK


def pre_push(_args: list[str], ref_lines: list[str]) -> int:
    """After DVC's own pre-push hook pushed the data: verify it and record the arrival."""
    from retrigger.hooks_engine import CONFIG_NAMES, hook_repo, pushed_data

    repo = hook_repo(Path.cwd())
    if repo is None:
        return EXIT_OK
    carries, base = pushed_data(repo.root, ref_lines)
    if not carries:
        return EXIT_OK
    config = next((repo.root / n for n in CONFIG_NAMES if (repo.root / n).is_file()), None)
    if config is None:
        return EXIT_OK  # a DVC repo that does not use retrigger
    from retrigger.data.push import push
    from retrigger.notify import deliver_pending
    from retrigger.workspace import Workspace

    workspace = Workspace.load(config)
    outcome = push(workspace, [], source="pre-push", run_dvc=False, base_rev=base)
    for line in outcome.summary_lines():
        print(f"retrigger: {line}")
    deliver_pending(workspace, NOTIFY_DEADLINE_S)
    return EXIT_OK
