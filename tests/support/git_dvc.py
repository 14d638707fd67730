"""A small git + DVC project (one tracked data file, committed) for `retrigger init` tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

_BIN = Path(sys.executable).parent


def _sh(root: Path, *args: str) -> None:
    subprocess.run(args, cwd=root, check=True, capture_output=True, text=True)


def build(root: Path) -> Path:
    root.mkdir(parents=True)
    _sh(root, "git", "init", "-q", "-b", "main")
    _sh(root, str(_BIN / "dvc"), "init", "-q")
    (root / "data").mkdir()
    (root / "data" / "train.csv").write_text("x,y\n1,0\n2,1\n", encoding="utf-8")
    _sh(root, str(_BIN / "dvc"), "add", "-q", "data/train.csv")
    _sh(root, "git", "add", "-A")
    _sh(root, "git", "commit", "-q", "-m", "data")
    return root


@pytest.fixture(scope="session")
def git_dvc_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("git-dvc") / "project")


@pytest.fixture
def git_dvc_project(git_dvc_template: Path, tmp_path: Path) -> Path:
    """A private copy, in a folder called `project` (so the model is called `project`)."""
    return Path(shutil.copytree(git_dvc_template, tmp_path / "project", symlinks=True))
