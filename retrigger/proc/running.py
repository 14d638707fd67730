"""Running commands: once with their output captured (``run``), or streamed line by line in
their own process group, stopped with it on a timeout or when the runner dies (``stream``).
Every command gets git's ``GIT_*`` variables stripped (``clean_env``)."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from retrigger.errors import BadInput
from retrigger.proc.groups import signal_group
from retrigger.proc.interpreter import RETRIGGER_BIN
from retrigger.units import format as fmt

# -vv: every command retrigger runs, where and how it ended (the name it always had)
log = logging.getLogger("retrigger.proc")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without git's ``GIT_*`` variables.

    git exports ``GIT_DIR``, ``GIT_INDEX_FILE``... to hooks; a git or dvc started from a hook
    with them set would act on the wrong repository or index (pre-commit's ``no_git_env``).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEEP_GIT}
    env.setdefault("DVC_NO_ANALYTICS", "1")
    # retrigger's own bin/ comes last: the user's `dvc` and `python` win, and retrigger's dvc
    # is there only when the user has none (retrigger installed apart, `uv tool install`).
    parts = [part for part in env.get("PATH", "").split(os.pathsep) if part]
    if RETRIGGER_BIN not in parts:
        parts.append(RETRIGGER_BIN)
    env["PATH"] = os.pathsep.join(parts)
    env.update(extra or {})
    return env


# Identity and ssh settings are the user's, not the hook's plumbing: keep them.
_KEEP_GIT = frozenset(
    {
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_ASKPASS",
        "GIT_TERMINAL_PROMPT",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_NOSYSTEM",
    }
)


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    check: bool = True,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command with a clean environment, capture its output as text."""
    started = time.monotonic()
    try:
        result = subprocess.run(
            list(args),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=clean_env(env),
            check=False,
        )
    except FileNotFoundError:
        raise BadInput(f"{args[0]} is not installed or not on PATH; install it and retry") from None
    log.debug(
        "ran `%s` in %s: exit %d, %s",
        shlex.join(args),
        cwd,
        result.returncode,
        fmt.duration(time.monotonic() - started),
    )
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(
            result.returncode, list(args), result.stdout, result.stderr
        )
    return result


class StreamTimeout(Exception):
    """A streamed command ran longer than its timeout and was stopped."""


# Runs a streamed command as its child, in the group it leads, and kills that whole group when
# the lifeline pipe reaches EOF: the runner is gone (even by kill -9 the kernel closes its end),
# so `dvc repro` and the stage commands it started must not train on with nobody to record
# them. It exits as its command did (the same code, or the same signal).
_WITH_PARENT = """
import os, signal, subprocess, sys, threading
def watch(fd):
    os.read(fd, 1)
    os.killpg(0, signal.SIGKILL)
threading.Thread(target=watch, args=(int(sys.argv[1]),), daemon=True).start()
code = subprocess.call(sys.argv[2:])
if code < 0:
    try:
        signal.signal(-code, signal.SIG_DFL)
    except (OSError, ValueError):
        pass  # SIGKILL and SIGSTOP keep their default anyway
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def stream(
    args: Sequence[str],
    cwd: Path,
    on_line: Callable[[str], None],
    *,
    timeout: float | None = None,
    on_start: Callable[[int], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run a long command, handing each output line (stdout and stderr merged) to ``on_line``
    as it comes; return its exit code (``StreamTimeout`` after ``timeout`` seconds).

    The command leads its own process group, so a timeout or an interrupt stops it and every
    process it started (``dvc repro`` runs the stage's commands as children). ``on_start``
    receives that group's id, so a later runner can stop it if this process dies first.
    """
    if not _found(args[0], cwd, clean_env(env).get("PATH")):
        raise BadInput(f"{args[0]} is not installed or not on PATH; install it and retry")
    log.debug("running `%s` in %s (output streamed)", shlex.join(args), cwd)
    started = time.monotonic()
    child, lifeline = _spawn(args, cwd, env)
    expired = threading.Event()

    def _expire() -> None:
        expired.set()
        signal_group(child.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, _expire) if timeout else None
    try:
        code = _pump(child, on_line, on_start, timer)
    finally:
        if timer is not None:
            timer.cancel()
        os.close(lifeline)
        if child.stdout is not None:
            child.stdout.close()  # else the pipe is left to the collector (ResourceWarning)
    if expired.is_set():
        raise StreamTimeout(f"`{' '.join(args)}` ran longer than {timeout:g}s and was stopped")
    log.debug(
        "`%s` exited %d after %s", shlex.join(args), code, fmt.duration(time.monotonic() - started)
    )
    return code


def _spawn(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None
) -> tuple[subprocess.Popen[str], int]:
    """ARGS started under the lifeline watcher (``_WITH_PARENT``), leading its own process
    group; the child and the pipe's write end this process keeps open while it lives."""
    read, lifeline = os.pipe()  # the write end stays here: its EOF tells the group we died
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WITH_PARENT, str(read), *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env=clean_env(env),
            start_new_session=True,
            errors="replace",
            pass_fds=(read,),
        )
    except BaseException:
        os.close(lifeline)
        raise
    finally:
        os.close(read)
    return child, lifeline


def _pump(
    child: subprocess.Popen[str],
    on_line: Callable[[str], None],
    on_start: Callable[[int], None] | None,
    timer: threading.Timer | None,
) -> int:
    """Hand each line of CHILD's output on, then its exit code. On any exception (an
    interrupt) its whole group is stopped: SIGTERM, then SIGKILL after 5 s."""
    try:
        if on_start is not None:
            on_start(child.pid)
        if timer is not None:
            timer.start()
        assert child.stdout is not None
        for text in child.stdout:
            on_line(text.rstrip("\n"))
        return child.wait()
    except BaseException:
        signal_group(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            signal_group(child.pid, signal.SIGKILL)
            child.wait()
        raise


def _found(program: str, cwd: Path, path: str | None) -> bool:
    """PROGRAM can be started: a path (relative to CWD) or a name on PATH."""
    if os.sep in program:
        return os.access(cwd / program, os.X_OK)
    return shutil.which(program, path=path) is not None
