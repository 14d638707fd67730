"""`check` in a CI-like checkout: a depth-1 `git clone` + `dvc pull` has today's data only, yet
every signal reads — the trained version is fetched from the DVC remote by md5 — and a version
that cannot be had is an *unknown* reading with its reason, never an exit 2 for the check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrigger.data.versions import out_version
from retrigger.demo import project
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh
from tests.support.projects import copy_project
from tests.support.real_projects import move_paths

pytestmark = pytest.mark.slow  # git, dvc push/pull, MLflow


@pytest.fixture(scope="module")
def clone_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """New rows committed and pushed upstream; CI clones at depth 1 and pulls. Built once for
    the module: ``project`` (upstream, baseline in its MLflow store), ``dvc-remote``, ``ci``."""
    base = tmp_path_factory.mktemp("fresh-clone")
    upstream = copy_project(demo_template, base / "project")
    remote = base / "dvc-remote"
    sh(upstream, "dvc", "remote", "add", "-d", "ci", str(remote))
    config_file = upstream / "retrigger.yaml"
    config: dict[str, Any] = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["signals"]["volume"] = {"min_new_rows": 1000}
    config["signals"]["drift"] = {"share": 0.3}
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    sh(upstream, "git", "add", "-A")
    sh(upstream, "git", "commit", "-q", "-m", "signals: volume and drift; a DVC remote")
    sh(upstream, "dvc", "push", "-q")
    project.degrade(upstream)  # 3000 shifted rows, `dvc add` + commit
    sh(upstream, "dvc", "push", "-q")
    target = base / "ci"
    sh(base, "git", "clone", "-q", "--depth", "1", f"file://{upstream}", str(target))
    sh(target, "dvc", "pull", "-q")
    return base


@pytest.fixture
def upstream(clone_template: Path, tmp_path: Path) -> Path:
    """A private copy of the three folders, every absolute path moved to the copy."""
    for name in ("project", "dvc-remote", "ci"):
        shutil.copytree(clone_template / name, tmp_path / name, symlinks=True)
    old, new = str(clone_template), str(tmp_path)
    move_paths(tmp_path / "project" / "mlflow.db", old, new)
    for config in ("project/.dvc/config", "ci/.dvc/config", "ci/.git/config"):
        path = tmp_path / config
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return tmp_path / "project"


@pytest.fixture
def clone(upstream: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # MLflow is the team's tracking server in real CI: here the project's own store.
    monkeypatch.setenv("RETRIGGER_TRACKING__URI", f"sqlite:///{upstream / 'mlflow.db'}")
    return upstream.parent / "ci"


def _check(root: Path) -> dict[str, Any]:
    result = run_cli("check", "--config", str(root / "retrigger.yaml"), "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def _signal(document: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in document["signals"] if s["kind"] == kind)


def test_depth_1_clone_fetches_the_trained_version_and_every_signal_reads(
    clone: Path, upstream: Path
) -> None:
    trained = out_version(upstream, project.DATA_PATH, "HEAD~1").md5
    assert trained is not None
    assert not (clone / ".dvc/cache/files/md5" / trained[:2] / trained[2:]).exists()

    document = _check(clone)

    assert len(document["fetched"]) == 1
    assert f"{project.DATA_PATH}@{trained[:8]}" in document["fetched"][0]
    assert "remote 'ci'" in document["fetched"][0]
    assert document["warnings"] == []
    volume, drift = _signal(document, "volume"), _signal(document, "drift")
    performance = _signal(document, "performance")
    assert volume["state"] == "fired" and volume["value"] == float(project.NEW_ROWS)
    assert drift["state"] == "fired" and drift["value"] >= 0.3
    assert performance["state"] in ("ok", "fired") and performance["value"] is not None
    assert document["fire"] is True and set(document["trigger_types"]) >= {"volume", "drift"}
    # The decision keeps where its compared data came from: explain tells it later.
    story = run_cli("explain", document["decision_id"], "--config", str(clone / "retrigger.yaml"))
    assert story.code == 0, story.err
    assert f"  {document['fetched'][0]}" in story.out.splitlines()


def test_fetch_never_makes_data_signals_unknown_and_the_check_goes_on(
    clone: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRIGGER_DATA_FETCH__MODE", "never")

    document = _check(clone)

    assert document["fetched"] == []
    assert [w.split(":")[0] for w in document["warnings"]] == ["volume unknown", "drift unknown"]
    for kind in ("volume", "drift"):
        reading = _signal(document, kind)
        assert reading["state"] == "unknown" and reading["fired"] is False
        assert "data_fetch.mode is never" in reading["detail"]
    assert _signal(document, "performance")["state"] != "unknown"
    assert document["fire"] is False


def test_a_remote_that_lacks_the_version_is_unknown_naming_the_remote(
    clone: Path, tmp_path: Path
) -> None:
    shutil.rmtree(tmp_path / "dvc-remote")

    result = run_cli("check", "--config", str(clone / "retrigger.yaml"))

    assert result.code == 0, result.err
    assert "WARNING volume unknown" in result.out and "WARNING drift unknown" in result.out
    assert "remote 'ci'" in result.out
    assert "UNKNOWN" in result.out


def test_a_fetch_that_brought_nothing_is_not_said_to_have_fetched(
    clone: Path, tmp_path: Path
) -> None:
    shutil.rmtree(tmp_path / "dvc-remote")
    (tmp_path / "dvc-remote").mkdir()  # the remote answers, and holds nothing

    document = _check(clone)

    assert document["fetched"] == []
    assert "is not on remote 'ci' either" in _signal(document, "drift")["detail"]
    stored = sqlite_rows(clone / ".retrigger" / "state.db", "SELECT fetched FROM decisions")
    assert stored == [("[]",)]


def test_a_damaged_data_file_makes_drift_unknown_with_the_reason_and_volume_still_reads(
    clone: Path,
) -> None:
    (clone / project.DATA_PATH).write_bytes(b'tenure,contract\n1,"never closed\n\xff\xfe\0')

    document = _check(clone)

    drift = _signal(document, "drift")
    assert drift["state"] == "unknown" and project.DATA_PATH in drift["detail"]
    assert document["warnings"] == [f"drift unknown: {drift['detail']}"]
    assert _signal(document, "volume")["state"] == "fired"  # counted from the DVC cache
