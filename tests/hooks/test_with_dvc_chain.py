"""``hooks install --with-dvc`` over hooks that are already there — a team's hand-written
ones and the pre-commit framework's — keeps them, chains DVC's and ours, and installing twice
changes no byte. Each hook's effect is observed through real ``git commit``, ``git push`` and
``git checkout``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import sqlite_rows
from tests.support.dvcrepo import add_rows, sh, write_csv

FRAMEWORK_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: team-check
        name: team check
        entry: sh -c 'echo framework-pre-commit >> ../ran.log'
        language: system
        pass_filenames: false
        always_run: true
"""


def _hand_written(hooks: Path, name: str) -> None:
    """A team's own hook: it leaves its name in ../ran.log (outside the work tree)."""
    path = hooks / name
    path.write_text(f"#!/bin/sh\necho hand-{name} >> ../ran.log\n")
    path.chmod(0o755)


def _hooks_state(hooks: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mode) for p in sorted(hooks.iterdir())}


def _retrigger(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retrigger", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def _pre_commit_framework(root: Path, home: Path) -> None:
    """The pre-commit framework's own git hook, as `pre-commit install` writes it."""
    (root / ".pre-commit-config.yaml").write_text(FRAMEWORK_CONFIG)
    sh(root, "git", "add", ".pre-commit-config.yaml")
    sh(root, "git", "commit", "-q", "-m", "pre-commit config")
    pre_commit = Path(sys.executable).parent / "pre-commit"
    sh(root, str(pre_commit), "install", "--hook-type", "pre-commit")
    assert "pre-commit.com" in (root / ".git/hooks/pre-commit").read_text()


@pytest.mark.slow
def test_with_dvc_keeps_existing_hooks_and_chains_dvcs_and_ours(
    dvc_repo: Path, mlflow_db_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    shutil.copyfile(mlflow_db_template, dvc_repo / "mlflow.db")
    origin = tmp_path / "origin.git"
    sh(tmp_path, "git", "init", "-q", "--bare", str(origin))
    sh(dvc_repo, "git", "remote", "add", "origin", str(origin))
    sh(dvc_repo, "git", "push", "-q", "origin", "main")
    hooks = dvc_repo / ".git" / "hooks"
    _pre_commit_framework(dvc_repo, tmp_path)
    _hand_written(hooks, "pre-push")
    _hand_written(hooks, "post-checkout")

    first = _retrigger(dvc_repo, "hooks", "install", "--with-dvc")
    installed = _hooks_state(hooks)
    second = _retrigger(dvc_repo, "hooks", "install", "--with-dvc")

    assert first.returncode == 0, first.stderr
    assert "already exists" not in first.stdout + first.stderr
    assert second.returncode == 0 and _hooks_state(hooks) == installed  # byte-identical
    assert "installed" not in second.stdout and "chained" not in second.stdout

    # A commit: the framework's hook, DVC's (`dvc status` names the unstaged change), ours.
    add_rows(dvc_repo, 150)
    write_csv(dvc_repo / "data" / "parts" / "a.csv", 0, 12)  # changed, not `dvc add`ed
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")
    committed = sh(dvc_repo, "git", "commit", "-m", "150 rows")
    assert "data/parts" in committed and "modified" in committed, committed  # DVC's
    assert "retrigger: data/train.csv: +50 rows (+50.0%)" in committed  # ours
    write_csv(dvc_repo / "data" / "parts" / "a.csv", 0, 10)

    # A push: the team's hook, DVC's (`dvc push` sends the new data), ours (the arrival).
    md5 = (dvc_repo / "data/train.csv.dvc").read_text().split("md5: ")[1].split()[0]
    remote_object = tmp_path / "remote" / "files" / "md5" / md5[:2] / md5[2:]
    assert not remote_object.exists()
    pushed = sh(dvc_repo, "git", "push", "-q", "origin", "main")
    assert remote_object.is_file(), pushed
    assert "arrived on the DVC remote (recorded)" in pushed, pushed
    arrivals = sqlite_rows(dvc_repo / ".retrigger/state.db", "SELECT source FROM data_arrivals")
    assert arrivals == [("pre-push",)]

    # A checkout: the team's hook, then DVC's (`dvc checkout` brings the older data back).
    sh(dvc_repo, "git", "checkout", "-q", "HEAD~2")
    assert len((dvc_repo / "data/train.csv").read_text().splitlines()) == 101
    # (pre-commit's own `git checkout` of unstaged files runs post-checkout once more first.)
    ran = (tmp_path / "ran.log").read_text().split()
    assert ran[-3:] == ["framework-pre-commit", "hand-pre-push", "hand-post-checkout"], ran


def test_a_hand_written_pre_commit_is_kept_and_uninstall_puts_it_back(dvc_repo: Path) -> None:
    hooks = dvc_repo / ".git" / "hooks"
    _hand_written(hooks, "pre-commit")
    original = (hooks / "pre-commit").read_bytes()

    result = _retrigger(dvc_repo, "hooks", "install", "--with-dvc")

    assert result.returncode == 0, result.stderr
    for name in ("pre-commit", "pre-push", "post-checkout"):
        assert "dvc git-hook" in (hooks / f"{name}.retrigger-dvc").read_text()
        assert os.access(hooks / name, os.X_OK)
    assert (hooks / "pre-commit.retrigger-legacy").read_bytes() == original
    removed = _retrigger(dvc_repo, "hooks", "uninstall")
    assert removed.returncode == 0, removed.stderr
    assert (hooks / "pre-commit").read_bytes() == original
    assert "dvc git-hook pre-push" in (hooks / "pre-push").read_text()  # DVC's stays
