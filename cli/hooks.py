"""``retrigger hooks install|uninstall`` and ``retrigger hook NAME`` (the hooks themselves).

``retrigger hook NAME`` is the same code as the light ``retrigger-hook NAME`` entry point
that the installed git hooks and pre-commit call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retrigger.cli import render

hooks_app = typer.Typer(help="Install or remove retrigger's git hooks.", no_args_is_help=True)
hook_app = typer.Typer(
    help="Run one hook by hand (what git and pre-commit run).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(hooks_app, name="hooks")
    app.add_typer(hook_app, name="hook")


PreCommitOption = Annotated[
    bool,
    typer.Option(
        "--pre-commit", help="Edit .pre-commit-config.yaml (repo: local) instead of .git/hooks."
    ),
]


@hooks_app.command("install")
def install(
    pre_commit: PreCommitOption = False,
    with_dvc: Annotated[
        bool,
        typer.Option(
            "--with-dvc",
            help="Also install DVC's hooks (`dvc install`), before or after ours: "
            "DVC's run first, so the pre-push hook sees what `dvc push` sent.",
        ),
    ] = False,
) -> None:
    """Install the pre-commit and pre-push hooks, chaining any hook already there (DVC's too)."""
    from retrigger.commands import hooks as command

    for line in command.install(command.repository(Path.cwd()), pre_commit, with_dvc):
        render.line(line)


@hooks_app.command("uninstall")
def uninstall(pre_commit: PreCommitOption = False) -> None:
    """Remove retrigger's hooks and put back whatever was there before."""
    from retrigger.commands import hooks as command

    for line in command.uninstall(command.repository(Path.cwd()), pre_commit):
        render.line(line)


def _run(name: str, args: list[str]) -> None:
    from retrigger.commands.hooks import hook

    code = hook(name, args)
    if code:
        raise typer.Exit(code)


@hook_app.command("data-delta")
def data_delta() -> None:
    """Print the delta of the staged data versions; never blocks a commit."""
    _run("data-delta", [])


@hook_app.command("config-check")
def config_check(files: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Exit 2 with `config validate`'s message when the changed retrigger.yaml is invalid."""
    _run("config-check", files or [])


@hook_app.command("pre-commit")
def pre_commit() -> None:
    """Both pre-commit hooks, as the installed git hook runs them."""
    _run("pre-commit", [])


@hook_app.command("pre-push")
def pre_push(args: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Verify and record a data arrival after DVC's own pre-push hook (refs on stdin)."""
    _run("pre-push", args or [])
