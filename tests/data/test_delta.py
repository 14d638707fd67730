"""Deltas between real DVC versions in a real git repo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrigger.data.delta import compute_delta
from retrigger.data.versions import INDEX, WORKTREE, OutVersion, out_version, versions
from retrigger.errors import BadInput
from retrigger.githooks.changes import changed_outputs
from tests.support.dvcrepo import add_rows, sh, write_csv

PATHS = ["data/train.csv", "data/parts"]


def _at(root: Path, rev: str | None) -> dict[str, OutVersion]:
    return {v.path: v for v in versions(root, PATHS, rev)}


def test_rows_bytes_and_percentages_of_a_grown_file(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 150)

    report = compute_delta(dvc_repo, _at(dvc_repo, "HEAD"), _at(dvc_repo, WORKTREE))

    train = report.paths[0]
    assert (train.old.rows, train.new.rows, train.rows, train.rows_pct) == (100, 150, 50, 50.0)
    assert train.old.bytes is not None
    assert train.bytes == (dvc_repo / "data/train.csv").stat().st_size - train.old.bytes
    assert (train.files_added, train.files_removed, train.files_modified) == (0, 0, 1)
    parts = report.paths[1]
    assert parts.rows == 0 and not parts.changed
    assert report.data_version_old != report.data_version_new


def test_directory_files_added_removed_modified_and_rows(dvc_repo: Path) -> None:
    parts = dvc_repo / "data" / "parts"
    write_csv(parts / "a.csv", 0, 30)  # modified: 10 → 30 rows
    (parts / "c.jsonl").unlink()  # removed: 5 rows
    write_csv(parts / "d.csv", 0, 4)  # added: 4 rows
    sh(dvc_repo, "dvc", "add", "-q", "data/parts")

    report = compute_delta(dvc_repo, _at(dvc_repo, "HEAD"), _at(dvc_repo, WORKTREE))

    delta = report.as_json()["paths"][1]  # type: ignore[index]
    assert delta["old"]["rows"] == 35 and delta["new"]["rows"] == 54
    assert delta["delta"] == {
        "bytes": delta["new"]["bytes"] - delta["old"]["bytes"],
        "rows": 19,
        "rows_pct": 54.29,
        "files_added": 1,
        "files_removed": 1,
        "files_modified": 1,
    }
    assert delta["new"]["files"] == 3


def test_old_content_missing_from_cache_means_rows_unknown_not_failure(dvc_repo: Path) -> None:
    old_md5 = out_version(dvc_repo, "data/train.csv", "HEAD").md5
    add_rows(dvc_repo, 120)
    assert old_md5 is not None
    (dvc_repo / ".dvc/cache/files/md5" / old_md5[:2] / old_md5[2:]).unlink()

    report = compute_delta(dvc_repo, _at(dvc_repo, "HEAD"), _at(dvc_repo, WORKTREE))

    train = report.paths[0]
    assert train.old.rows is None and train.rows is None and train.new.rows == 120
    assert "rows unknown" in train.summary()


def test_fetch_brings_the_old_version_back_from_the_remote(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 120)
    shutil.rmtree(dvc_repo / ".dvc" / "cache")
    sh(dvc_repo, "dvc", "commit", "-q", "-f", "data/train.csv")  # new version back in cache

    report = compute_delta(
        dvc_repo,
        _at(dvc_repo, "HEAD"),
        _at(dvc_repo, WORKTREE),
        fetch_missing=True,
    )

    assert [p.rows for p in report.paths] == [20, 0]
    assert not (dvc_repo / ".retrigger-fetch").exists()


def test_staged_changes_name_only_the_paths_that_changed(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 130)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")

    old, new = changed_outputs(dvc_repo, ["data/train.csv.dvc", "README"], "HEAD", INDEX)

    assert list(new) == ["data/train.csv"]
    assert old["data/train.csv"] is not None


def test_malformed_dvc_file_is_one_line_bad_input(dvc_repo: Path) -> None:
    (dvc_repo / "data/train.csv.dvc").write_text("outs: [md5: {\n")

    with pytest.raises(BadInput, match=r"data/train.csv.dvc line \d+ is not valid YAML"):
        out_version(dvc_repo, "data/train.csv")


LOCK = """\
schema: '2.0'
stages:
  features:
    cmd: python features.py
    outs:
    - path: data/features.csv
      hash: md5
      md5: {md5}
      size: 10
    - path: model.pkl
      hash: md5
      md5: 0123456789abcdef0123456789abcdef
      size: 5
"""


def test_a_dvc_lock_change_names_only_the_outputs_whose_md5_moved(dvc_repo: Path) -> None:
    (dvc_repo / "dvc.lock").write_text(LOCK.format(md5="a" * 32))
    sh(dvc_repo, "git", "add", "dvc.lock")
    sh(dvc_repo, "git", "commit", "-q", "-m", "lock")
    (dvc_repo / "dvc.lock").write_text(LOCK.format(md5="b" * 32))
    sh(dvc_repo, "git", "add", "dvc.lock")

    old, new = changed_outputs(dvc_repo, ["dvc.lock"], "HEAD", INDEX)

    assert list(new) == ["data/features.csv"]
    assert new["data/features.csv"].md5 == "b" * 32
    assert old["data/features.csv"] is not None and old["data/features.csv"].md5 == "a" * 32


def test_malformed_dvc_lock_is_one_line_bad_input(dvc_repo: Path) -> None:
    (dvc_repo / "dvc.lock").write_text("stages: {features: [\n")

    with pytest.raises(BadInput, match=r"dvc.lock line \d+ is not valid YAML"):
        out_version(dvc_repo, "data/features.csv")
