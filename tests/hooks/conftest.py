from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.dvcrepo import build_template, copy_repo


@pytest.fixture(scope="session")
def dvc_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dvc-template")
    remote = folder / "remote"
    return build_template(folder / "repo", remote), remote


@pytest.fixture
def dvc_repo(dvc_template: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private git + DVC repo (committed, pushed) with its own directory remote."""
    template, remote = dvc_template
    return copy_repo(template, remote, tmp_path / "repo", tmp_path / "remote")
