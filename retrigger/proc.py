"""Every subprocess retrigger starts goes through here (STYLE.md: one helper for side effects)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from retrigger.errors import BadInput


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without git's ``GIT_*`` variables.

    git exports ``GIT_DIR``, ``GIT_INDEX_FILE``... to hooks; a git or dvc started from a hook
    with them set would act on the wrong repository or index (pre-commit's ``no_git_env``).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEEP_GIT}
    env.setdefault("DVC_NO_ANALYTICS", "1")
    # Put this interpreter's bin first: `dvc`, and `python` in pipeline stages, must be the
    # ones installed beside retrigger even when its virtualenv is not activated.
    bin_dir = str(Path(sys.executable).parent)
    if env.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        env["PATH"] = os.pathsep.join(filter(None, [bin_dir, env.get("PATH", "")]))
    env.update(extra or {})
    return env


# Identity and ssh settings are the user's, not the hook's plumbing: keep them.
_KEEP_GIT = frozenset({
    "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
    "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", "GIT_TERMINAL_PROMPT", "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_NOSYSTEM",
})


def run(args: Sequence[str], cwd: Path, *, check: bool = True, timeout: float | None = None,
        env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command with a clean environment, capture its output as text."""
    try:
        result = subprocess.run(
            list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout,
            env=clean_env(env), check=False,
        )
    except FileNotFoundError:
        raise BadInput(f"{args[0]} is not installed or not on PATH; install it and retry") from None
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, list(args), result.stdout,
                                            result.stderr)
    return result
