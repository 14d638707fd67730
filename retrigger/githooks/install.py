"""``retrigger hooks install|uninstall``: git hooks installed the careful way (STYLE.md #2).

Our scripts carry a marker so we know them; a hook that was already there (DVC's from
``dvc install``, pre-commit's, a team's own) is kept beside ours as ``<hook>.retrigger-legacy``
and run first; DVC's hooks installed by ``--with-dvc`` are kept as ``<hook>.retrigger-dvc`` and
run next, then ours; ``core.hooksPath`` is honoured; installing twice changes nothing; uninstall
puts the previous hook back. ``--pre-commit`` writes ``repo: local`` entries instead.
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
# DVC's hooks that are not ours too: we only chain them (a hook there is kept, not refused).
CHAIN_ONLY = ("post-checkout",)
DVC_HOOKS = ("post-checkout", "pre-commit", "pre-push")  # what `dvc install` writes
LEGACY_SUFFIX = ".retrigger-legacy"
DVC_SUFFIX = ".retrigger-dvc"

_HEAD = """#!/bin/sh
{marker}; `retrigger hooks uninstall` restores
# the hook that was here before (kept as {hook}{legacy}; DVC's, from --with-dvc, as {hook}{dvc}).
HERE=$(cd "$(dirname "$0")" && pwd)
"""
_BODY = """{prefilter}INTERP='{python}'
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
# The hooks that were here run first, in order (the one found, then DVC's), each stopping the
# commit or push when it fails; pre-push reads the pushed refs on stdin: each gets a copy.
_CHAIN = """{read}for PREVIOUS in "$HERE/{hook}{legacy}" "$HERE/{hook}{dvc}"; do
    if [ -x "$PREVIOUS" ]; then
        {feed}"$PREVIOUS" "$@" || exit $?
    fi
done
"""
# A commit that stages no data or config file never starts Python (the common case).
_PREFILTER = """git diff --cached --name-only 2>/dev/null \\
    | grep -qE '(\\.dvc|(^|/)dvc\\.lock|^retrigger\\.ya?ml)$' || exit 0
"""


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
    """Our hook: the chain of what was there, then (unless a chain-only hook) retrigger's."""
    feed = "printf '%s\\n' \"$INPUT\" | " if hook == "pre-push" else ""
    text = _HEAD.format(marker=MARKER, hook=hook, legacy=LEGACY_SUFFIX, dvc=DVC_SUFFIX)
    text += _CHAIN.format(
        read="INPUT=$(cat)\n" if hook == "pre-push" else "",
        hook=hook,
        legacy=LEGACY_SUFFIX,
        dvc=DVC_SUFFIX,
        feed=feed,
    )
    if hook in CHAIN_ONLY:
        return text
    return text + _BODY.format(
        hook=hook,
        python=sys.executable,
        launcher=_LAUNCHER,
        prefilter=_PREFILTER if hook == "pre-commit" else "",
        feed=feed,
    )


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(root: Path, with_dvc: bool = False) -> list[HookChange]:
    """Install ours, chaining what is there; ``with_dvc`` also installs DVC's hooks."""
    folder = hooks_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    changes = []
    if with_dvc and not dvc_hooks_present(folder):
        _install_dvc(root, folder)
        changes.append(
            HookChange(
                "dvc",
                folder,
                f"DVC's hooks installed as <hook>{DVC_SUFFIX}, run after the hook that was "
                "there and before ours",
            )
        )
    # post-checkout is ours to manage only where DVC's is chained: nothing of ours runs there.
    chained = [hook for hook in CHAIN_ONLY if (folder / (hook + DVC_SUFFIX)).exists()]
    return changes + [_install_one(folder / hook, hook) for hook in (*HOOKS, *chained)]


def dvc_hooks_present(folder: Path) -> bool:
    """DVC's hooks are installed: as the hook itself, or chained behind ours."""
    return all(
        any(_mentions_dvc(folder / (hook + suffix)) for suffix in ("", LEGACY_SUFFIX, DVC_SUFFIX))
        for hook in HOOKS
    )


def _mentions_dvc(path: Path) -> bool:
    try:
        return DVC_MARK in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _install_dvc(root: Path, folder: Path) -> None:
    """DVC's own ``dvc install``, whatever hooks are there already.

    It refuses to write over any hook ("Hook already exists") and always writes into
    ``.git/hooks``: so every hook it would write is set aside for the moment it runs, DVC's
    scripts are moved beside ours as ``<hook>.retrigger-dvc``, and what was there goes back.
    """
    target = root / ".git" / "hooks"  # where DVC writes, core.hooksPath or not
    target.mkdir(parents=True, exist_ok=True)
    aside = {}
    for hook in DVC_HOOKS:
        path = target / hook
        if path.exists() or path.is_symlink():
            aside[path] = path.with_name(f".{hook}.{os.getpid()}.retrigger-aside")
            path.rename(aside[path])
    try:
        result = run(["dvc", "install"], root, check=False)
        for hook in DVC_HOOKS:
            written = target / hook
            if written.exists() and result.returncode == 0:
                written.replace(folder / (hook + DVC_SUFFIX))
            elif _mentions_dvc(written):
                written.unlink()  # a half-done install leaves nothing of DVC's behind
    finally:
        for path, moved in aside.items():
            moved.replace(path)
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BadInput(f"`dvc install` failed: {reason[0]}; the hooks are as they were")


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
    for hook in (*HOOKS, *CHAIN_ONLY):
        path = folder / hook
        if not path.exists() or not is_ours(path):
            if hook in HOOKS:
                changes.append(HookChange(hook, path, "absent"))
            continue
        path.unlink()
        changes.append(HookChange(hook, path, _restore(path)))
    return changes


def _restore(path: Path) -> str:
    """Put back the hook that was there before ours (else DVC's); what happened, in words."""
    legacy = path.with_name(path.name + LEGACY_SUFFIX)
    dvc = path.with_name(path.name + DVC_SUFFIX)
    if legacy.exists() or legacy.is_symlink():
        legacy.rename(path)
        if dvc.exists():
            return f"restored the previous hook; DVC's stays in {dvc.name}, no longer run"
        return "restored the previous hook"
    if dvc.exists():
        dvc.rename(path)
        return "restored DVC's hook"
    return "removed"


def _write_executable(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRUSR)
    tmp.replace(path)
