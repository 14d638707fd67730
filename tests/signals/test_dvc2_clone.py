"""A project whose data DVC 2 tracked (``.dvc`` and ``dvc.lock`` entries without ``hash:``,
objects at ``ab/cdef…`` in the cache and on the remote), checked in a depth-1 CI clone: the
trained version is fetched from the remote by real DVC 3, volume and drift see the new rows,
and "fetched" is said only of what arrived."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.data.versions import out_version
from retrigger.demo import project
from retrigger.demo.data import rows, write_csv
from retrigger.workspace import Workspace
from tests.support import dvc2
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.real_projects import move_paths

pytestmark = pytest.mark.slow  # git, dvc push/pull, MLflow


@pytest.fixture(scope="module")
def clone_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``project`` (upstream, its baseline in MLflow) as DVC 2 left it, then 3000 shifted rows
    added as DVC 2 added them; ``dvc-remote``; ``ci``, a depth-1 clone after `dvc pull`."""
    base = tmp_path_factory.mktemp("dvc2-clone")
    upstream = Path(shutil.copytree(demo_template, base / "project", symlinks=True))
    remote = base / "dvc-remote"
    dvc2.downgrade(upstream)
    project.record_baseline(Workspace.load(upstream / "retrigger.yaml"))  # DVC 2's md5s
    sh(upstream, "dvc", "remote", "add", "-d", "ci", str(remote))
    config_file = upstream / "retrigger.yaml"
    config: dict[str, Any] = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["signals"]["volume"] = {"min_new_rows": 1000}
    config["signals"]["drift"] = {"share": 0.3}
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    sh(upstream, "git", "add", "-A")
    sh(upstream, "git", "commit", "-q", "-m", "the project as DVC 2 left it; a DVC remote")
    assert "hash:" not in (upstream / "dvc.lock").read_text()
    assert "up to date" in sh(upstream, "dvc", "status")  # DVC 3 reads it as it is
    sh(upstream, "dvc", "push", "-q")
    table = rows(project.FIRST_ROWS, seed=7, shifted=False)
    write_csv(upstream / project.DATA_PATH, table + rows(project.NEW_ROWS, seed=11, shifted=True))
    dvc2.add(upstream, project.DATA_PATH)
    sh(upstream, "git", "add", "-A")
    sh(upstream, "git", "commit", "-q", "-m", "data: 3000 new production rows (DVC 2)")
    sh(upstream, "dvc", "push", "-q")
    assert dvc2.layout_is_dvc2(remote)
    sh(base, "git", "clone", "-q", "--depth", "1", f"file://{upstream}", str(base / "ci"))
    sh(base / "ci", "dvc", "pull", "-q")
    return base


@pytest.fixture
def clone(clone_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the three folders; MLflow is the project's own store."""
    for name in ("project", "dvc-remote", "ci"):
        shutil.copytree(clone_template / name, tmp_path / name, symlinks=True)
    old, new = str(clone_template), str(tmp_path)
    move_paths(tmp_path / "project" / "mlflow.db", old, new)
    for config in ("project/.dvc/config", "ci/.dvc/config", "ci/.git/config"):
        path = tmp_path / config
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    monkeypatch.setenv("RETRIGGER_TRACKING__URI", f"sqlite:///{tmp_path / 'project/mlflow.db'}")
    return tmp_path / "ci"


def _json(root: Path, *args: str) -> dict[str, Any]:
    result = run_cli(*args, "--config", str(root / "retrigger.yaml"), "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def _signal(document: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in document["signals"] if s["kind"] == kind)


def _trained(clone: Path) -> str:
    md5 = out_version(clone.parent / "project", project.DATA_PATH, "HEAD~1").md5
    assert md5 is not None and not (clone / ".dvc/cache" / md5[:2] / md5[2:]).exists()
    return md5


def test_check_fetches_the_dvc2_version_and_sees_the_new_rows_and_the_drift(
    clone: Path,
) -> None:
    trained = _trained(clone)

    document = _json(clone, "check")

    assert len(document["fetched"]) == 1
    assert f"{project.DATA_PATH}@{trained[:8]}" in document["fetched"][0]
    assert document["warnings"] == []
    volume, drift = _signal(document, "volume"), _signal(document, "drift")
    assert volume["state"] == "fired" and volume["value"] == float(project.NEW_ROWS)
    assert drift["state"] == "fired" and drift["value"] >= 0.3
    assert document["fire"] is True and set(document["trigger_types"]) >= {"volume", "drift"}
    assert (clone / ".dvc/cache" / trained[:2] / trained[2:]).is_file()  # where DVC 3 put it


def test_delta_fetch_counts_the_rows_added_since_the_trained_dvc2_version(clone: Path) -> None:
    _trained(clone)

    document = _json(clone, "delta", "--fetch")

    (path,) = document["paths"]
    assert (path["old"]["rows"], path["new"]["rows"]) == (
        project.FIRST_ROWS,
        project.FIRST_ROWS + project.NEW_ROWS,
    )
    assert path["delta"]["rows"] == project.NEW_ROWS


def test_fetched_is_said_only_when_the_version_arrived(clone: Path) -> None:
    trained = _trained(clone)
    (clone.parent / "dvc-remote" / trained[:2] / trained[2:]).unlink()

    document = _json(clone, "check")

    assert document["fetched"] == []
    volume = _signal(document, "volume")
    assert volume["state"] == "unknown" and "is not on remote 'ci' either" in volume["detail"]
    story = run_cli("explain", document["decision_id"], "--config", str(clone / "retrigger.yaml"))
    assert story.code == 0, story.err
    assert "fetched" not in story.out
