"""The DVC commands a retrain runs, through ``retrigger.proc``: pull, repro, push, and the
check that the remote really holds what was pushed."""

from __future__ import annotations

import configparser
import json
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from retrigger.data.versions import cache_path, out_version
from retrigger.errors import BadInput, ConfigError, WorkFailed
from retrigger.proc import StreamTimeout, run, stream

Say = Callable[[str], None]


def command_args(command: str) -> list[str]:
    try:
        args = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"invalid config key 'pipeline.command': {exc}") from None
    if not args:
        raise ConfigError("invalid config key 'pipeline.command': empty; use e.g. `dvc repro`")
    return args


def run_streamed(args: list[str], root: Path, say: Say, timeout: float | None,
                 on_start: Callable[[int], None] | None = None) -> list[str]:
    """Run ``args`` streaming its output to ``say``; return the last lines; WorkFailed on a
    non-zero exit or a timeout."""
    tail: list[str] = []

    def line(text: str) -> None:
        tail.append(text)
        del tail[:-20]
        say(text)

    try:
        code = stream(args, root, line, timeout=timeout, on_start=on_start)
    except StreamTimeout as exc:
        raise WorkFailed(f"{exc} (pipeline.stage_timeout)") from None
    if code != 0:
        last = next((t for t in reversed(tail) if t.strip()), "no output")
        raise WorkFailed(f"`{' '.join(args)}` exited {code}: {last.strip()}")
    return tail


def default_remote(root: Path) -> str | None:
    """The project's default DVC remote, read from .dvc/config(.local) without starting dvc;
    falls back to ``dvc remote default`` (global and system configs) when they name none."""
    for name in ("config.local", "config"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:
            parser.read(root / ".dvc" / name, encoding="utf-8")
        except configparser.Error:
            continue
        if parser.has_option("core", "remote"):
            return parser.get("core", "remote").strip().strip("'\"") or None
    result = run(["dvc", "remote", "default"], root, check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def require_remote(root: Path) -> str:
    remote = default_remote(root)
    if remote is None:
        raise ConfigError("pipeline.push is true but the DVC project has no default remote; "
                          "add one with `dvc remote add -d NAME URL` or set pipeline.push: false")
    return remote


def verify_pushed(root: Path, paths: list[str], timeout: float | None) -> None:
    """The remote must hold every object of ``paths`` (the model and the data) after a push.

    A local (directory) remote is checked by looking for each object, which takes milliseconds;
    any other remote through ``dvc status --cloud``.
    """
    remote = _local_remote(root)
    if remote is None:
        _verify_with_dvc(root, timeout)
        return
    missing = [path for path in paths if not _on_remote(root, remote, path)]
    if missing:
        raise WorkFailed(f"the DVC remote {remote} does not hold {', '.join(missing)} after "
                         "`dvc push`; check its permissions and space, then rerun")


def _local_remote(root: Path) -> Path | None:
    name = default_remote(root)
    for config in ("config.local", "config"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:
            parser.read(root / ".dvc" / config, encoding="utf-8")
        except configparser.Error:
            continue
        for section in parser.sections():
            if section.strip("'\"").replace('"', "").split() == ["remote", str(name)]:
                url = parser.get(section, "url", fallback="").strip()
                if url.startswith("file://"):
                    url = url[len("file://"):]
                if not url or "://" in url:
                    return None
                return (root / ".dvc" / url).resolve()
    return None


def _on_remote(root: Path, remote: Path, path: str) -> bool:
    try:
        md5 = out_version(root, path).md5
    except BadInput:
        return False
    if md5 is None:
        return False
    objects = [md5]
    if md5.endswith(".dir"):
        try:
            manifest = json.loads(cache_path(root, md5).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return False
        objects += [str(entry["md5"]) for entry in manifest]
    return all((remote / "files" / "md5" / obj[:2] / obj[2:]).is_file() for obj in objects)


def _verify_with_dvc(root: Path, timeout: float | None) -> None:
    try:
        result = run(["dvc", "status", "--cloud", "--json"], root, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise WorkFailed("`dvc status --cloud` did not answer in time") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise WorkFailed(f"`dvc status --cloud` failed after the push: {last}")
    try:
        status = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        raise WorkFailed("`dvc status --cloud --json` printed no JSON; check the dvc install"
                         ) from None
    missing = sorted(path for path, state in status.items() if state != "deleted")
    if missing:
        raise WorkFailed(f"the DVC remote does not hold {', '.join(missing)} after `dvc push`; "
                         "check the remote's permissions and space, then rerun")


def dry_plan(root: Path) -> tuple[list[str], str]:
    """What ``dvc repro --dry`` would run, and ``dvc dag``; changes nothing."""
    dry = run(["dvc", "repro", "--dry"], root, check=False)
    if dry.returncode != 0:
        last = (dry.stderr.strip().splitlines() or ["no output"])[-1]
        raise BadInput(f"`dvc repro --dry` failed: {last}; fix dvc.yaml")
    stages = [line.split("'")[1] for line in dry.stdout.splitlines()
              if line.startswith("Running stage '") and line.count("'") >= 2]
    dag = run(["dvc", "dag"], root, check=False)
    return stages, dag.stdout.rstrip() if dag.returncode == 0 else dag.stderr.strip()
