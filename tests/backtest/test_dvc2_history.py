"""``retrigger backtest`` over a history whose data versions DVC 2 tracked (``.dvc`` files
without ``hash:``, objects at ``ab/cdef…``): the same replay as with DVC 3's, volume and drift
read from the cache, and a version missing there fetched from a DVC 2 remote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from retrigger.data.versions import out_version
from tests.backtest import history
from tests.support import dvc2
from tests.support.cli import run_cli


@pytest.fixture(scope="module")
def dvc2_template(
    tmp_path_factory: pytest.TempPathFactory, mlflow_db_template: Path
) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("backtest-dvc2") / "project"
    shas = history.build(root, mlflow_db_template, add=dvc2.add)
    assert "hash:" not in (root / "data" / "train.csv.dvc").read_text()
    assert dvc2.layout_is_dvc2(root / ".dvc" / "cache")
    return root, shas


@pytest.fixture
def project(dvc2_template: tuple[Path, list[str]], tmp_path: Path) -> tuple[Path, list[str]]:
    template, shas = dvc2_template
    return history.copy(template, tmp_path / "project"), shas


def _backtest(root: Path) -> dict[str, Any]:
    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def _data_readings(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (r["kind"], r["state"])
        for point in document["points"]
        for r in point["readings"]
        if r["kind"] in ("volume", "drift")
    ]


def test_the_replay_reads_dvc2_versions_as_it_reads_dvc3_ones(
    project: tuple[Path, list[str]],
) -> None:
    root, shas = project

    document = _backtest(root)

    assert [s for _, s in _data_readings(document)].count("unknown") == 0
    volume = {r["kind"]: r for r in document["points"][4]["readings"]}["volume"]
    assert (volume["state"], volume["value"]) == ("fired", 700.0)  # rows from DVC 2's cache
    assert document["retrains"] == 4
    assert document["held"] == {"cooldown": 1, "identical-inputs": 1}
    assert document["replayed_retrains"] == [shas[2], shas[4], shas[6], shas[9]]
    fired = [p["trigger_types"] for p in document["points"] if p["fire"]]
    assert fired == [["performance"], ["volume"], ["drift"], ["schedule"]]


def test_a_version_missing_from_the_cache_is_fetched_from_a_dvc2_remote(
    project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = project
    remote = tmp_path / "remote"
    shutil.copytree(root / ".dvc" / "cache", remote)  # DVC 2's remote: laid out as its cache
    history.sh(root, "dvc", "remote", "add", "-d", "store", str(remote))
    md5 = out_version(root, "data/train.csv", shas[4]).md5
    assert md5 is not None
    (root / ".dvc" / "cache" / md5[:2] / md5[2:]).unlink()

    document = _backtest(root)

    assert (root / ".dvc" / "cache" / md5[:2] / md5[2:]).is_file()
    assert [s for _, s in _data_readings(document)].count("unknown") == 0
    assert document["replayed_retrains"] == [shas[2], shas[4], shas[6], shas[9]]
