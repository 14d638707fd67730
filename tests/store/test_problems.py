"""A state store that cannot take a write says why, in one line: locked by another process
(a real ``sqlite3`` shell in ``BEGIN EXCLUSIVE``, exit 3), a full disk, a read-only file system
(real tmpfs mounts in a private mount namespace, exit 2) — never "unexpected error"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hooks.test_busy_store import holding_the_write_lock


def _retrigger(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "retrigger", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )
    return result.returncode, result.stderr


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(not _can_mount(), reason="needs unshare -rm (mount namespace)")


def _in_private_mount(mount: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) with a small tmpfs at ``mount`` that only it sees."""
    mount.mkdir()
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=512k tmpfs '{mount}' && {script}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 shell")
def test_a_locked_store_is_one_line_and_exit_3(dvc_repo: Path) -> None:
    code, err = _retrigger(dvc_repo, "status")
    assert code == 0, err

    with holding_the_write_lock(dvc_repo / ".retrigger" / "state.db"):
        code, err = _retrigger(dvc_repo, "status")

    assert code == 3, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "is locked by another process" in lines[0], err


def _spooled_arrival(root: Path, padding: int = 0) -> None:
    """An arrival a hook kept: replaying it is the next command's first write."""
    folder = root / ".retrigger"
    folder.mkdir(exist_ok=True)
    arrival = {
        "model": "churn",
        "data_version": "f" * 16,
        "created_at": "2026-03-15T02:00:00+00:00",
        "source": "pre-push",
        "git_commit": None,
        "paths": {"data/train.csv": "a" * 32},
        "delta": {"paths": [], "padding": "x" * padding},
    }
    line = json.dumps({"arrival": arrival, "channel": "#ml-ops"})
    (folder / "arrivals.spool").write_text(line + "\n")


@needs_mounts
def test_a_full_disk_is_named_and_the_kept_arrival_stays(dvc_repo: Path, tmp_path: Path) -> None:
    mount = tmp_path / "mnt"
    status = f"'{sys.executable}' -m retrigger status"
    _spooled_arrival(dvc_repo, padding=300_000)  # more than the full disk has left
    script = (
        f"cd '{dvc_repo}' && mv .retrigger/arrivals.spool ../held && {status} >/dev/null && "
        f"mv ../held .retrigger/arrivals.spool && "
        f"(dd if=/dev/zero of='{mount}/filler' bs=4k 2>/dev/null; true) && {status}"
    )
    os.environ["RETRIGGER_STATE__URL"] = f"sqlite:///{mount}/state.db"
    try:
        result = _in_private_mount(mount, script)
    finally:
        del os.environ["RETRIGGER_STATE__URL"]

    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the disk is full" in lines[0], result.stderr
    assert (dvc_repo / ".retrigger" / "arrivals.spool").read_text().strip()  # not dropped


@needs_mounts
def test_a_read_only_file_system_is_named(dvc_repo: Path, tmp_path: Path) -> None:
    mount = tmp_path / "mnt"
    status = f"'{sys.executable}' -m retrigger status"
    _spooled_arrival(dvc_repo)  # replaying it is a write: reading alone works read-only
    script = (
        f"cd '{dvc_repo}' && mv .retrigger/arrivals.spool ../held && {status} >/dev/null && "
        f"mv ../held .retrigger/arrivals.spool && mount -o remount,ro '{mount}' && {status}"
    )
    os.environ["RETRIGGER_STATE__URL"] = f"sqlite:///{mount}/state.db"
    try:
        result = _in_private_mount(mount, script)
    finally:
        del os.environ["RETRIGGER_STATE__URL"]

    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "read-only file system" in lines[0], result.stderr
    assert (dvc_repo / ".retrigger" / "arrivals.spool").read_text().strip()  # not dropped
