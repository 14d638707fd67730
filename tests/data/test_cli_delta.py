"""``retrigger delta`` as a user runs it: JSON shape, sides, and one-line errors (exit 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.dvcrepo import add_rows, sh

SIDE_KEYS = {"md5", "bytes", "files", "rows"}
DELTA_KEYS = {"bytes", "rows", "rows_pct", "files_added", "files_removed", "files_modified"}


def _delta(root: Path, *args: str) -> dict[str, object]:
    result = run_cli("delta", "--config", str(root / "retrigger.yaml"), "--json", *args)
    assert result.code == 0, result.err
    document: dict[str, object] = json.loads(result.out)
    return document


def test_json_is_exactly_the_documented_object(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 140)

    document = _delta(dvc_repo, "HEAD")

    assert set(document) == {"schema", "data_version_old", "data_version_new", "paths"}
    paths = document["paths"]
    assert isinstance(paths, list) and [p["path"] for p in paths] == [
        "data/train.csv",
        "data/parts",
    ]
    for item in paths:
        assert set(item) == {"path", "old", "new", "delta"}
        assert set(item["old"]) == SIDE_KEYS == set(item["new"])
        assert set(item["delta"]) == DELTA_KEYS
    assert paths[0]["delta"]["rows"] == 40 and paths[0]["delta"]["rows_pct"] == 40.0


def test_two_revisions_and_the_staged_side(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 110)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")
    staged = _delta(dvc_repo, "HEAD", "--staged")
    sh(dvc_repo, "git", "commit", "-q", "-m", "more rows")
    add_rows(dvc_repo, 200)  # unstaged: not part of HEAD~1..HEAD

    between = _delta(dvc_repo, "HEAD~1", "HEAD")

    assert staged["paths"][0]["delta"]["rows"] == 10  # type: ignore[index]
    assert between["paths"][0]["delta"]["rows"] == 10  # type: ignore[index]
    assert between["data_version_new"] == staged["data_version_new"]


def test_default_reference_is_the_baseline_runs_data(demo_project: Path) -> None:
    from retrigger.demo import project

    project.degrade(demo_project)

    document = _delta(demo_project)

    train = document["paths"][0]  # type: ignore[index]
    assert train["delta"]["rows"] == project.NEW_ROWS
    assert train["old"]["rows"] == project.FIRST_ROWS
    assert document["data_version_old"] is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-rev",), "git revision 'no-such-rev' does not exist"),
        (("HEAD", "HEAD", "--staged"), "give either REV_B or --staged"),
    ],
)
def test_bad_arguments_are_one_line_exit_2(
    dvc_repo: Path, args: tuple[str, ...], message: str
) -> None:
    result = run_cli("delta", "--config", str(dvc_repo / "retrigger.yaml"), *args)

    assert result.code == 2
    assert message in result.err and len(result.err.strip().splitlines()) == 1


def test_untracked_data_path_and_missing_dvc_are_exit_2(dvc_repo: Path) -> None:
    config = dvc_repo / "retrigger.yaml"
    config.write_text(config.read_text() + "  - data/nothing.csv\n")
    untracked = run_cli("delta", "--config", str(config), "HEAD")
    os.rename(dvc_repo / ".dvc", dvc_repo / ".dvc-away")
    no_dvc = run_cli("delta", "--config", str(config), "HEAD")

    assert untracked.code == 2 and "'data/nothing.csv' is not tracked by DVC" in untracked.err
    assert no_dvc.code == 2 and "DVC is not initialised" in no_dvc.err


def test_not_a_git_repo_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "retrigger.yaml").write_text("model: {name: m}\ndata: [x.csv]\n")

    result = run_cli("delta", "--config", str(tmp_path / "retrigger.yaml"), "HEAD")

    assert result.code == 2 and "is not a git repository" in result.err


def test_malformed_dvc_file_and_binary_csv_are_exit_2(dvc_repo: Path) -> None:
    csv = dvc_repo / "data" / "train.csv"
    csv.write_bytes(b"id\0\1\2" * 100)
    sh(dvc_repo, "dvc", "add", "-q", "data/train.csv")
    binary = run_cli("delta", "--config", str(dvc_repo / "retrigger.yaml"), "HEAD")
    (dvc_repo / "data/train.csv.dvc").write_text("outs: [md5: {\n")
    malformed = run_cli("delta", "--config", str(dvc_repo / "retrigger.yaml"), "HEAD")

    assert binary.code == 2 and "is binary, not text" in binary.err
    assert malformed.code == 2 and "is not valid YAML" in malformed.err


def test_table_output_names_each_path(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 125)

    result = run_cli("delta", "--config", str(dvc_repo / "retrigger.yaml"), "HEAD")

    assert result.code == 0
    assert "data/parts" in result.out and "+25.0%" in result.out


def test_rows_unknown_without_the_cache_then_fetched_from_the_remote(dvc_repo: Path) -> None:
    from retrigger.data.versions import out_version

    old_md5 = out_version(dvc_repo, "data/train.csv", "HEAD").md5
    assert old_md5 is not None
    add_rows(dvc_repo, 150)
    (dvc_repo / ".dvc/cache/files/md5" / old_md5[:2] / old_md5[2:]).unlink()

    unknown = _delta(dvc_repo, "HEAD")
    fetched = _delta(dvc_repo, "HEAD", "--fetch")

    assert unknown["paths"][0]["old"]["rows"] is None  # type: ignore[index]
    assert unknown["paths"][0]["delta"]["rows"] is None  # type: ignore[index]
    assert fetched["paths"][0]["delta"]["rows"] == 50  # type: ignore[index]
