"""What the remote holds after a push: the directory-remote fast path and `dvc status --cloud`
must agree on every case (tests/data/test_push.py drives the fast path through the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from retrigger.data import remote
from retrigger.data.odb import cache_path
from retrigger.data.versions import out_version
from retrigger.errors import BadInput, WorkFailed
from tests.support.dvcrepo import add_rows, sh

pytestmark = pytest.mark.slow

PATHS = ["data/train.csv", "data/parts"]
Verify = Callable[[Path], None]
CHECKS: dict[str, Verify] = {
    "directory remote": lambda root: remote.verify_on_remote(root, PATHS),
    "dvc status --cloud": lambda root: remote._verify_with_dvc(root, PATHS, None, 60),
}


@pytest.mark.parametrize("check", CHECKS)
def test_pushed_data_passes(dvc_repo: Path, check: str) -> None:
    CHECKS[check](dvc_repo)  # the template repo is committed and pushed


@pytest.mark.parametrize("check", CHECKS)
def test_data_not_pushed_yet_is_work_failed(dvc_repo: Path, check: str) -> None:
    add_rows(dvc_repo, 150)

    with pytest.raises(WorkFailed, match=r"still lacks data/train\.csv"):
        CHECKS[check](dvc_repo)


@pytest.mark.parametrize("check", CHECKS)
def test_data_in_neither_cache_nor_remote_is_bad_input(dvc_repo: Path, check: str) -> None:
    add_rows(dvc_repo, 150)
    md5 = out_version(dvc_repo, "data/train.csv").md5
    assert md5 is not None
    cache_path(dvc_repo, md5).unlink()

    with pytest.raises(BadInput, match="not in the local DVC cache nor on the remote"):
        CHECKS[check](dvc_repo)


def test_the_default_remote_is_read_from_the_project_config(dvc_repo: Path) -> None:
    sh(dvc_repo, "dvc", "remote", "add", "other", str(dvc_repo.parent / "elsewhere"))

    assert remote.default_remote(dvc_repo) == "local"
    sh(dvc_repo, "dvc", "remote", "default", "other")
    assert remote.default_remote(dvc_repo) == "other"
