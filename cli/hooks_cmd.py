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
hook_app = typer.Typer(help="Run one hook by hand (what git and pre-commit run).",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(hooks_app, name="hooks")
    app.add_typer(hook_app, name="hook")


PreCommitOption = Annotated[bool, typer.Option(
    "--pre-commit", help="Edit .pre-commit-config.yaml (repo: local) instead of .git/hooks.")]


@hooks_app.command("install")
def install(pre_commit: PreCommitOption = False) -> None:
    """Install the pre-commit and pre-push hooks, chaining any hook already there."""
    root = _root()
    if pre_commit:
        from retrigger import precommit_config

        action = precommit_config.install(root)
        render.line(f"{precommit_config.FILE}: {action}; then run `pre-commit install "
                    "--hook-type pre-commit --hook-type pre-push`")
        return
    from retrigger.hook_install import install as install_hooks

    for change in install_hooks(root):
        render.line(change.describe())


@hooks_app.command("uninstall")
def uninstall(pre_commit: PreCommitOption = False) -> None:
    """Remove retrigger's hooks and put back whatever was there before."""
    root = _root()
    if pre_commit:
        from retrigger import precommit_config

        render.line(f"{precommit_config.FILE}: {precommit_config.uninstall(root)}")
        return
    from retrigger.hook_install import uninstall as uninstall_hooks

    for change in uninstall_hooks(root):
        render.line(change.describe())


def _root() -> Path:
    from retrigger.errors import BadInput
    from retrigger.gitutil import repo_root

    root = repo_root(Path.cwd())
    if root is None:
        raise BadInput(f"{Path.cwd()} is not inside a git repository; run `git init` first")
    return root


def _run(name: str, args: list[str]) -> None:
    from retrigger.hooks.main import main

    code = main([name, *args])
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
