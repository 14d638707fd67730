"""Every subprocess retrigger starts goes through here (STYLE.md: one helper for side effects)."""

from __future__ import annotations

import contextlib
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
from dataclasses import dataclass
from pathlib import Path

from retrigger.errors import BadInput, ConfigError
from retrigger.units import format as fmt

log = logging.getLogger(__name__)  # -vv: every command retrigger runs, where and how it ended


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


RETRIGGER_BIN = str(Path(sys.executable).parent)


@dataclass(frozen=True)
class Interpreter:
    """The environment the pipeline's commands run in: its ``bin/`` goes first on PATH, so the
    stages' ``python`` and ``dvc`` are the project's, never retrigger's unless asked."""

    bin_dir: Path | None  # None: the user's PATH as it is
    source: str  # why this one, in words (`run --dry-run` and the errors say it)

    @property
    def python(self) -> str:
        """The ``python`` a stage command finds first (``unknown`` when none is on PATH)."""
        return (
            shutil.which("python", path=self.path())
            or shutil.which("python3", path=self.path())
            or "unknown"
        )

    def path(self) -> str:
        parts = [part for part in os.environ.get("PATH", "").split(os.pathsep) if part]
        if self.bin_dir is not None:
            parts = [str(self.bin_dir), *(p for p in parts if p != str(self.bin_dir))]
        return os.pathsep.join([*parts, RETRIGGER_BIN] if RETRIGGER_BIN not in parts else parts)

    def env(self) -> dict[str, str]:
        """What a pipeline command's environment overrides (on top of ``clean_env``)."""
        env = {"PATH": self.path()}
        if self.bin_dir is not None and (self.bin_dir.parent / "pyvenv.cfg").is_file():
            env["VIRTUAL_ENV"] = str(self.bin_dir.parent)  # what `activate` would have set
        return env


def own_interpreter() -> Interpreter:
    """retrigger's own environment, first on PATH: one environment shared with the project."""
    return Interpreter(Path(RETRIGGER_BIN), "retrigger's own environment (pipeline.env: retrigger)")


def pipeline_interpreter(
    root: Path, configured: str | None, shared: bool, environ: Mapping[str, str]
) -> Interpreter:
    """Which environment runs the stages: ``pipeline.env: retrigger`` (retrigger's own), else
    ``pipeline.python`` (an interpreter or a venv folder), else the repository's ``.venv``,
    else ``$VIRTUAL_ENV``, else the ``python`` on PATH. ConfigError for a ``pipeline.python``
    that does not exist or has no ``dvc`` beside it or on PATH."""
    if shared:
        return own_interpreter()
    if configured:
        return _configured(root, configured, environ)
    if (root / ".venv" / "bin" / "python").is_file():
        return Interpreter(root / ".venv" / "bin", "the repository's .venv")
    if environ.get("VIRTUAL_ENV"):
        return Interpreter(Path(environ["VIRTUAL_ENV"]) / "bin", "$VIRTUAL_ENV")
    return Interpreter(None, "the `python` on PATH")


def _configured(root: Path, configured: str, environ: Mapping[str, str]) -> Interpreter:
    given = Path(configured).expanduser()
    path = given if given.is_absolute() else root / given
    python = path / "bin" / "python" if path.is_dir() else path
    if not python.is_file() or not os.access(python, os.X_OK):
        raise ConfigError(
            f"invalid config key 'pipeline.python': {python} does not exist or is not "
            "executable; give the project's interpreter (e.g. .venv/bin/python) or its venv folder"
        )
    bin_dir = python.parent  # not resolved: a venv's python is a link to the base interpreter
    if not (bin_dir / "dvc").is_file() and shutil.which("dvc", path=environ.get("PATH")) is None:
        raise ConfigError(
            f"invalid config key 'pipeline.python': no dvc in {bin_dir} nor on PATH, so "
            f"`dvc repro` cannot run the stages there; install it (`uv pip install --python "
            f"{python} dvc`) or leave pipeline.python unset"
        )
    return Interpreter(bin_dir, f"pipeline.python ({configured})")


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
    expired = threading.Event()

    def _expire() -> None:
        expired.set()
        _signal_group(child.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, _expire) if timeout else None
    try:
        if on_start is not None:
            on_start(child.pid)
        if timer is not None:
            timer.start()
        assert child.stdout is not None
        for text in child.stdout:
            on_line(text.rstrip("\n"))
        code = child.wait()
    except BaseException:
        _signal_group(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()
        raise
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


def _found(program: str, cwd: Path, path: str | None) -> bool:
    """PROGRAM can be started: a path (relative to CWD) or a name on PATH."""
    if os.sep in program:
        return os.access(cwd / program, os.X_OK)
    return shutil.which(program, path=path) is not None


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def stop_group(pgid: int, grace: float = 5.0) -> None:
    """Stop a process group this process did not start (a dead runner's leftover step):
    SIGTERM, then SIGKILL when it is still there after ``grace`` seconds."""
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)
    _signal_group(pgid, signal.SIGKILL)


def _stat(pid: int) -> list[str] | None:
    """``/proc/PID/stat`` from field 3 on (Linux); the command name may contain spaces."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), so a reused pid is not mistaken for it."""
    fields = _stat(pid)
    return fields[19] if fields else None  # field 22, starttime


def alive(pid: int) -> bool:
    """``pid`` runs (someone else's process counts). A zombie does not: a killed process whose
    parent died too stays one where PID 1 reaps nothing (containers), and ``kill -0`` finds it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = _stat(pid)
    return fields is None or fields[0] not in ("Z", "X")  # field 3, state
