"""A cache DVC keeps elsewhere (`dvc cache dir`, e.g. one shared by a team's checkouts) is the
cache retrigger reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.dvcrepo import add_rows, sh


@pytest.mark.slow
def test_delta_counts_rows_in_the_cache_dvc_is_configured_to_use(dvc_repo: Path) -> None:
    shared = dvc_repo.parent / "shared-cache"
    shutil.move(dvc_repo / ".dvc" / "cache", shared)
    sh(dvc_repo, "dvc", "cache", "dir", "../shared-cache")  # stored relative to .dvc/
    add_rows(dvc_repo, 140)
    assert Path(sh(dvc_repo, "dvc", "cache", "dir").strip()) == shared

    result = run_cli("delta", "HEAD", "--config", str(dvc_repo / "retrigger.yaml"), "--json")

    assert result.code == 0, result.err
    train = json.loads(result.out)["paths"][0]
    assert (train["old"]["rows"], train["new"]["rows"]) == (100, 140)
