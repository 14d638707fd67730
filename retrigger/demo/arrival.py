"""Demo step: more data committed through the installed git hook, then ``retrigger push``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrigger.demo import project
from retrigger.demo.data import rows, write_csv
from retrigger.proc import run

if TYPE_CHECKING:
    from retrigger.demo.walkthrough import DemoState

MORE_ROWS = 500


def step_data_arrival(state: DemoState) -> None:
    from retrigger.commands.push import push
    from retrigger.githooks.install import install

    root = state.root
    state.say(
        f"5. {MORE_ROWS} more rows arrive: `retrigger hooks install`, then a data commit "
        "through the pre-commit hook and `retrigger push` to a directory remote"
    )
    install(root)
    # Relative (DVC stores it relative to .dvc/config): DVC's config writer cannot store an
    # absolute path with non-ASCII characters. .retrigger/ is git-ignored.
    project.sh(root, "dvc", "remote", "add", "-f", "-d", "demo", project.DEMO_REMOTE)
    table = (
        rows(project.FIRST_ROWS, seed=7, shifted=False)
        + rows(project.NEW_ROWS, seed=11, shifted=True)
        + rows(MORE_ROWS, seed=13, shifted=True)
    )
    write_csv(root / project.DATA_PATH, table)
    project.sh(root, "dvc", "add", "-q", project.DATA_PATH)
    project.sh(root, "git", "add", f"{project.DATA_PATH}.dvc", ".dvc/config")
    result = run(["git", "commit", "-m", f"data: {MORE_ROWS} more rows"], root, check=False)
    for line in (result.stdout + result.stderr).splitlines():
        if line.startswith("retrigger"):
            state.say(f"   git commit → {line}")
    for line in push(state.ws, []).summary_lines():
        state.say(f"   retrigger push → {line}")
