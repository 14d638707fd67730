"""``retrigger hooks install|uninstall``: git hooks installed the careful way (STYLE.md #2).

Our scripts carry a marker so we know them; a hook that was already there (DVC's from
``dvc install``, pre-commit's, a team's own) is kept beside ours as ``<hook>.retrigger-legacy``
and run first; ``core.hooksPath`` is honoured; installing twice changes nothing; uninstall puts
the previous hook back. ``--pre-commit`` writes ``repo: local`` entries instead.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from retrigger.errors import BadInput
from retrigger.proc import run

MARKER = "# retrigger-hook: installed by `retrigger hooks install`"
DVC_MARK = "dvc git-hook"  # what `dvc install` writes into each hook it installs
HOOKS = ("pre-commit", "pre-push")
LEGACY_SUFFIX = ".retrigger-legacy"

_TEMPLATE = """#!/bin/sh
{marker}; `retrigger hooks uninstall` restores
# the hook that was here before (kept as {hook}{legacy}).
HERE=$(cd "$(dirname "$0")" && pwd)
{run_legacy}
{prefilter}INTERP='{python}'
if [ -x "$INTERP" ]; then
    {feed}"$INTERP" -c '{launcher}' {hook} "$@"
elif command -v retrigger-hook >/dev/null 2>&1; then
    {feed}retrigger-hook {hook} "$@"
else
    echo "retrigger: {hook} hook skipped: $INTERP is gone; run retrigger hooks install" >&2
fi
"""
# One interpreter start: a retrigger uninstalled from it skips the hook, never blocks git.
_LAUNCHER = """import sys
try:
    from retrigger.hooks.main import main
except ImportError:
    sys.exit(print("retrigger: hook skipped, not installed for", sys.executable, file=sys.stderr))
sys.exit(main(sys.argv[1:]))"""
# pre-push reads the pushed refs on stdin: both hooks get their own copy of it.
_LEGACY_PRE_PUSH = """INPUT=$(cat)
if [ -x "$HERE/pre-push{legacy}" ]; then
    printf '%s\\n' "$INPUT" | "$HERE/pre-push{legacy}" "$@" || exit $?
fi"""
# A commit that stages no data or config file never starts Python (the common case).
_PREFILTER = """git diff --cached --name-only 2>/dev/null \\
    | grep -qE '(\\.dvc|(^|/)dvc\\.lock|^retrigger\\.ya?ml)$' || exit 0
"""
_LEGACY_PLAIN = """if [ -x "$HERE/{hook}{legacy}" ]; then
    "$HERE/{hook}{legacy}" "$@" || exit $?
fi"""


@dataclass(frozen=True)
class HookChange:
    hook: str
    path: Path
    action: str  # installed | unchanged | chained | removed | restored | absent

    def describe(self) -> str:
        return f"{self.hook}: {self.action} ({self.path})"


def hooks_dir(root: Path) -> Path:
    """Where git runs hooks from: ``core.hooksPath`` if set, else ``.git/hooks``."""
    configured = run(["git", "config", "--get", "core.hooksPath"], root, check=False)
    if configured.returncode == 0 and configured.stdout.strip():
        folder = Path(configured.stdout.strip()).expanduser()
        return folder if folder.is_absolute() else root / folder
    result = run(["git", "rev-parse", "--git-path", "hooks"], root, check=False)
    if result.returncode != 0:
        raise BadInput(f"{root} is not a git repository; run `git init` first")
    folder = Path(result.stdout.strip())
    return folder if folder.is_absolute() else root / folder


def script(hook: str) -> str:
    template = _LEGACY_PRE_PUSH if hook == "pre-push" else _LEGACY_PLAIN
    return _TEMPLATE.format(
        marker=MARKER,
        hook=hook,
        legacy=LEGACY_SUFFIX,
        python=sys.executable,
        run_legacy=template.format(hook=hook, legacy=LEGACY_SUFFIX),
        launcher=_LAUNCHER,
        prefilter=_PREFILTER if hook == "pre-commit" else "",
        feed="printf '%s\\n' \"$INPUT\" | " if hook == "pre-push" else "",
    )


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(root: Path, with_dvc: bool = False) -> list[HookChange]:
    """Install ours, chaining what is there; ``with_dvc`` first runs DVC's own installer.

    ``dvc install`` refuses to write over any existing hook, so with ours in place it is run
    with ours set aside, then ours go back in front of DVC's (which now run first).
    """
    folder = hooks_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    if with_dvc and not dvc_hooks_present(folder):
        _install_dvc(root)
    return [_install_one(folder / hook, hook) for hook in HOOKS]


def dvc_hooks_present(folder: Path) -> bool:
    """DVC's hooks are installed, as the hook itself or chained behind ours."""
    return all(
        _mentions_dvc(folder / hook) or _mentions_dvc(folder / (hook + LEGACY_SUFFIX))
        for hook in HOOKS
    )


def _mentions_dvc(path: Path) -> bool:
    try:
        return DVC_MARK in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _install_dvc(root: Path) -> None:
    had_ours = any(is_ours(hooks_dir(root) / hook) for hook in HOOKS)
    if had_ours:
        uninstall(root)
    result = run(["dvc", "install"], root, check=False)
    if result.returncode != 0:
        if had_ours:
            install(root)  # leave the hooks as they were
        reason = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BadInput(
            f"`dvc install` refused: {reason[0]}; move that hook aside (or install "
            "DVC's hooks yourself) and run `retrigger hooks install` again"
        )


def _install_one(path: Path, hook: str) -> HookChange:
    text = script(hook)
    if path.exists() and is_ours(path):
        if path.read_text(encoding="utf-8") == text:
            return HookChange(hook, path, "unchanged")
        _write_executable(path, text)  # a newer retrigger, or another interpreter
        return HookChange(hook, path, "updated")
    action = "installed"
    if path.exists() or path.is_symlink():
        legacy = path.with_name(path.name + LEGACY_SUFFIX)
        if legacy.exists():
            raise BadInput(
                f"{path} is not retrigger's and {legacy.name} already exists; move "
                "one of them away, then install again"
            )
        path.rename(legacy)
        action = f"chained (the existing hook now runs first, from {legacy.name})"
    _write_executable(path, text)
    return HookChange(hook, path, action)


def uninstall(root: Path) -> list[HookChange]:
    folder = hooks_dir(root)
    changes = []
    for hook in HOOKS:
        path = folder / hook
        legacy = path.with_name(path.name + LEGACY_SUFFIX)
        if not path.exists() or not is_ours(path):
            changes.append(HookChange(hook, path, "absent"))
            continue
        path.unlink()
        if legacy.exists() or legacy.is_symlink():
            legacy.rename(path)
            changes.append(HookChange(hook, path, "restored the previous hook"))
        else:
            changes.append(HookChange(hook, path, "removed"))
    return changes


def _write_executable(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRUSR)
    tmp.replace(path)
