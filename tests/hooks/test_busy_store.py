"""A busy state store loses nothing: while a real ``sqlite3`` process holds ``BEGIN
EXCLUSIVE`` on the state database, a real ``git push`` runs the hooks, which give up waiting
within their bound and keep the arrival in ``.retrigger/arrivals.spool`` (one line says so);
the next command that opens the store records it, exactly once."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from retrigger.proc import run
from tests.conftest import sqlite_rows
from tests.support.dvcrepo import add_rows, sh


def _locked(db: Path) -> bool:
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    probe.execute("ROLLBACK")
    return False
    # (the probe closes when garbage-collected: it holds nothing once rolled back)


@contextmanager
def holding_the_write_lock(db: Path) -> Iterator[None]:
    """A real ``sqlite3`` shell inside ``BEGIN EXCLUSIVE`` until the block ends."""
    shell = subprocess.Popen(
        ["sqlite3", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert shell.stdin is not None
    shell.stdin.write("BEGIN EXCLUSIVE;\n")
    shell.stdin.flush()
    deadline = time.monotonic() + 30
    while not _locked(db):  # waiting for a condition, not asserting a duration
        assert time.monotonic() < deadline, "sqlite3 never took the lock"
        time.sleep(0.05)
    try:
        yield
    finally:
        shell.communicate("COMMIT;\n.quit\n", timeout=30)


def _retrigger(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retrigger", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 shell")
def test_a_push_while_the_store_is_locked_is_kept_then_recorded_once(
    dvc_repo: Path, mlflow_db_template: Path, tmp_path: Path
) -> None:
    shutil.copyfile(mlflow_db_template, dvc_repo / "mlflow.db")
    origin = tmp_path / "origin.git"
    sh(tmp_path, "git", "init", "-q", "--bare", str(origin))
    sh(dvc_repo, "git", "remote", "add", "origin", str(origin))
    installed = _retrigger(dvc_repo, "hooks", "install", "--with-dvc")
    assert installed.returncode == 0, installed.stderr
    sh(dvc_repo, "git", "push", "-q", "origin", "main")  # the first arrival makes the store
    db = dvc_repo / ".retrigger" / "state.db"
    add_rows(dvc_repo, 160)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")
    sh(dvc_repo, "git", "commit", "-q", "-m", "160 rows")

    with holding_the_write_lock(db):
        pushed = run(["git", "push", "-q", "origin", "main"], dvc_repo, check=False, timeout=120)
        arrivals_while_locked = sqlite_rows(db, "SELECT count(*) FROM data_arrivals")

    output = pushed.stdout + pushed.stderr
    said = [line for line in output.splitlines() if "arrivals.spool" in line]
    assert pushed.returncode == 0, pushed.stderr
    assert len(said) == 1 and "locked by another process" in said[0], output
    assert "160 rows" in sh(dvc_repo, "git", "log", "--oneline", "origin/main")
    assert arrivals_while_locked == [(1,)]
    assert (dvc_repo / ".retrigger" / "arrivals.spool").read_text().strip()

    first = _retrigger(dvc_repo, "status")
    second = _retrigger(dvc_repo, "status")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "recorded 1 data arrival" in first.stderr
    assert "recorded" not in second.stderr
    rows = sqlite_rows(db, "SELECT source, delta FROM data_arrivals ORDER BY id")
    assert [source for source, _ in rows] == ["pre-push", "pre-push"]
    assert '"rows": 160' in str(rows[1][1])  # the arrival as the hook measured it
    announced = sqlite_rows(db, "SELECT count(*) FROM outbox WHERE kind = 'data_arrival'")
    assert announced == [(2,)]  # one announcement per arrival: none lost, none twice


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 shell")
def test_retrigger_push_while_the_store_is_locked_keeps_the_arrival_and_exits_0(
    dvc_repo: Path, mlflow_db_template: Path
) -> None:
    shutil.copyfile(mlflow_db_template, dvc_repo / "mlflow.db")
    assert _retrigger(dvc_repo, "push").returncode == 0  # the first arrival makes the store
    db = dvc_repo / ".retrigger" / "state.db"
    add_rows(dvc_repo, 160)

    with holding_the_write_lock(db):
        pushed = _retrigger(dvc_repo, "push", "--json")
        arrivals_while_locked = sqlite_rows(db, "SELECT count(*) FROM data_arrivals")

    # `dvc push` ran: the data is on the remote, and the arrival is kept, not lost to exit 3.
    assert pushed.returncode == 0, pushed.stderr
    spooled = json.loads(pushed.stdout)["spooled"]
    assert "locked by another process" in spooled and "arrivals.spool" in spooled
    assert arrivals_while_locked == [(1,)]

    later = _retrigger(dvc_repo, "status")

    assert later.returncode == 0, later.stderr
    assert "recorded 1 data arrival" in later.stderr
    rows = sqlite_rows(db, "SELECT source, delta FROM data_arrivals ORDER BY id")
    assert [source for source, _ in rows] == ["push", "push"]
    assert '"rows": 160' in str(rows[1][1])
