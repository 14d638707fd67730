"""Data tracked by DVC 2 (``.dvc`` entries without ``hash:``, objects at ``ab/cdef…`` in the
cache and on the remote), read by real DVC 3 and by retrigger alike: the delta fetched from
the remote in a fresh clone, files and directories, drift between versions, push verified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrigger.data import odb
from retrigger.data.versions import out_version
from tests.support import dvc2
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh, write_csv

pytestmark = pytest.mark.slow  # git, dvc push / fetch


def _batch(path: Path, count: int, shift: float) -> None:
    lines = ["x,kind"] + [f"{(i * 37) % 100 + shift:.1f},{'ab'[i % 2]}" for i in range(count)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def repo(dvc_repo: Path) -> Path:
    """The session's repo as DVC 2 left it, plus ``data/batches`` (CSV only), then a second
    version of all three paths written as DVC 2 wrote it; both pushed by real DVC 3."""
    remote = dvc_repo.parent / "remote"
    dvc2.downgrade(dvc_repo, remote)
    _batch(dvc_repo / "data" / "batches" / "a.csv", 200, 0)
    dvc2.add(dvc_repo, "data/batches")
    sh(dvc_repo, "git", "add", "-A")
    sh(dvc_repo, "git", "commit", "-q", "-m", "data, tracked by DVC 2")
    write_csv(dvc_repo / "data" / "train.csv", 0, 150)
    write_csv(dvc_repo / "data" / "parts" / "d.csv", 0, 7)
    _batch(dvc_repo / "data" / "batches" / "b.csv", 200, 40)
    for path in ("data/train.csv", "data/parts", "data/batches"):
        dvc2.add(dvc_repo, path)
    sh(dvc_repo, "git", "add", "-A")
    sh(dvc_repo, "git", "commit", "-q", "-m", "more data, DVC 2")
    # DVC 3 reads it as it is, and pushes it where DVC 2 would have.
    assert "up to date" in sh(dvc_repo, "dvc", "status")
    sh(dvc_repo, "dvc", "push", "-q", "--all-commits")
    assert dvc2.layout_is_dvc2(dvc_repo / ".dvc" / "cache") and dvc2.layout_is_dvc2(remote)
    return dvc_repo


def _json(*args: str) -> dict[str, Any]:
    result = run_cli(*args, "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def test_the_cache_path_is_the_one_dvc_itself_gives_each_entry(repo: Path) -> None:
    from dvc.repo import Repo

    dvc_add = repo / "data" / "more.csv"
    write_csv(dvc_add, 0, 3)
    sh(repo, "dvc", "add", "-q", "data/more.csv")  # DVC 3's own entry, beside DVC 2's
    with Repo(str(repo)) as dvc:
        outs = {str(Path(out.fs_path).relative_to(repo)): out for out in dvc.index.outs}
    assert {outs[p].hash_name for p in ("data/train.csv", "data/more.csv")} == {
        "md5-dos2unix",
        "md5",
    }

    for out in outs.values():
        assert odb.cache_path(repo, out.hash_info.value) == Path(out.cache_path), out


def test_delta_fetches_dvc2_files_and_directories_into_a_fresh_clone(
    repo: Path, tmp_path: Path
) -> None:
    clone = tmp_path / "clone"
    sh(tmp_path, "git", "clone", "-q", f"file://{repo}", str(clone))
    config = ["--config", str(clone / "retrigger.yaml")]
    unfetched = _json("delta", "HEAD~1", "HEAD", *config)
    assert [p["delta"]["rows"] for p in unfetched["paths"]] == [None, None]

    document = _json("delta", "HEAD~1", "HEAD", "--fetch", *config)

    train, parts = document["paths"]
    assert (train["old"]["rows"], train["new"]["rows"]) == (100, 150)
    assert (parts["old"]["rows"], parts["new"]["rows"]) == (35, 42)
    assert (parts["old"]["files"], parts["new"]["files"]) == (3, 4)
    assert parts["delta"]["files_added"] == 1
    assert dvc2.layout_is_dvc2(clone / ".dvc" / "cache")  # where DVC 3 itself put them


def test_drift_reads_dvc2_versions_of_a_directory_from_the_cache(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = out_version(repo, "data/batches", "HEAD~1").md5
    assert old is not None and old.endswith(".dir")
    monkeypatch.chdir(repo)

    document = _json("drift", "data/batches@HEAD~1", "data/batches@HEAD")

    assert document["drift"] is True
    assert (document["reference_rows"], document["current_rows"]) == (200, 400)
    assert document["columns"]["x"]["drift"] is True


def test_push_proves_dvc2_objects_are_on_the_remote(repo: Path) -> None:
    write_csv(repo / "data" / "train.csv", 0, 170)
    md5 = dvc2.add(repo, "data/train.csv")

    result = run_cli("push", "--config", str(repo / "retrigger.yaml"), "--json")

    assert result.code == 0, result.err
    assert (repo.parent / "remote" / md5[:2] / md5[2:]).is_file()
    assert json.loads(result.out)["arrival"]["delta"]["paths"][0]["new"]["rows"] == 170


def test_a_dvc3_version_after_dvc2_ones_is_compared_with_them(repo: Path) -> None:
    write_csv(repo / "data" / "train.csv", 0, 200)
    sh(repo, "dvc", "add", "-q", "data/train.csv")  # the team upgraded DVC: `hash: md5` now
    assert "hash: md5" in (repo / "data" / "train.csv.dvc").read_text()

    document = _json("delta", "HEAD", "--config", str(repo / "retrigger.yaml"))

    train = document["paths"][0]
    assert (train["old"]["rows"], train["new"]["rows"], train["delta"]["rows"]) == (150, 200, 50)


def test_a_dvc2_dvc_lock_output_is_read_from_the_legacy_cache(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "dvc.yaml").write_text(
        "stages:\n  features:\n    cmd: cp -r data/batches data/features\n"
        "    deps: [data/batches]\n    outs: [data/features]\n"
    )
    sh(repo, "dvc", "repro", "-q")
    dvc2.downgrade(repo)  # dvc.lock as DVC 2 wrote it: no `hash:`, objects at ab/cdef…
    sh(repo, "git", "add", "-A")
    sh(repo, "git", "commit", "-q", "-m", "a features stage, DVC 2")
    assert "hash:" not in (repo / "dvc.lock").read_text()
    assert dvc2.layout_is_dvc2(repo / ".dvc" / "cache")
    monkeypatch.chdir(repo)

    document = _json("drift", "data/batches@HEAD~2", "data/features@HEAD")

    assert (document["reference_rows"], document["current_rows"]) == (200, 400)
    assert document["columns"]["x"]["drift"] is True
