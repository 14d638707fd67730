"""``retrigger push`` with a real directory remote: verified, recorded exactly once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from retrigger.data.versions import out_version
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.dvcrepo import add_rows, sh


def _push(root: Path, *args: str) -> tuple[int, dict[str, object] | str]:
    result = run_cli("push", "--config", str(root / "retrigger.yaml"), "--json", *args)
    return result.code, (json.loads(result.out) if result.code == 0 else result.err)


def _arrivals(root: Path) -> list[tuple[object, ...]]:
    return sqlite_rows(
        root / ".retrigger" / "state.db",
        "SELECT data_version, source FROM data_arrivals ORDER BY id",
    )


def _remote_has(remote: Path, md5: str) -> bool:
    return (remote / "files" / "md5" / md5[:2] / md5[2:]).is_file()


@pytest.mark.slow
def test_push_uploads_records_once_and_reports_the_delta(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 180)
    md5 = out_version(dvc_repo, "data/train.csv").md5
    assert md5 is not None and not _remote_has(dvc_repo.parent / "remote", md5)

    code, first = _push(dvc_repo)
    again_code, again = _push(dvc_repo)

    assert code == 0 and again_code == 0, (first, again)
    assert _remote_has(dvc_repo.parent / "remote", md5)
    assert isinstance(first, dict) and isinstance(again, dict)
    assert first["recorded"] is True and again["recorded"] is False
    assert len(_arrivals(dvc_repo)) == 1
    delta = first["arrival"]["delta"]  # type: ignore[index]
    assert delta["paths"][0]["new"]["rows"] == 180
    # Announced once, in the same transaction, and delivered (to the console: no Slack token).
    assert sqlite_rows(dvc_repo / ".retrigger" / "state.db", "SELECT kind, status FROM outbox") == [
        ("data_arrival", "delivered")
    ]


@pytest.mark.slow
def test_a_new_version_after_the_first_is_measured_from_the_previous_arrival(
    dvc_repo: Path,
) -> None:
    _push(dvc_repo)
    add_rows(dvc_repo, 160)

    code, second = _push(dvc_repo)

    assert code == 0 and isinstance(second, dict)
    assert second["reference"] == "previous arrival"
    assert second["arrival"]["delta"]["paths"][0]["delta"]["rows"] == 60  # type: ignore[index]
    assert len(_arrivals(dvc_repo)) == 2


@pytest.mark.slow
def test_two_concurrent_pushes_of_one_version_record_one_arrival(
    dvc_repo: Path, mlflow_db_template: Path
) -> None:
    # An existing MLflow store, as in real use (two processes creating one race in MLflow).
    shutil.copyfile(mlflow_db_template, dvc_repo / "mlflow.db")
    add_rows(dvc_repo, 170)
    command = [
        sys.executable,
        "-m",
        "retrigger",
        "push",
        "--config",
        str(dvc_repo / "retrigger.yaml"),
        "--json",
    ]
    procs = [
        subprocess.Popen(
            command, cwd=dvc_repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]

    assert [proc.returncode for proc in procs] == [0, 0], outputs
    recorded = sorted(json.loads(out)["recorded"] for out, _ in outputs)
    assert recorded == [False, True]
    assert len(_arrivals(dvc_repo)) == 1


@pytest.mark.slow
def test_missing_cache_is_exit_2_and_records_nothing(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 175)
    md5 = out_version(dvc_repo, "data/train.csv").md5
    assert md5 is not None
    (dvc_repo / ".dvc/cache/files/md5" / md5[:2] / md5[2:]).unlink()

    code, err = _push(dvc_repo)

    assert code == 2 and isinstance(err, str)
    assert "data/train.csv: not in the local DVC cache nor on the remote" in err
    assert not (dvc_repo / ".retrigger" / "state.db").exists() or not _arrivals(dvc_repo)


@pytest.mark.slow
def test_an_unreachable_remote_fails_the_push_with_exit_1(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 176)
    remote = dvc_repo.parent / "remote"
    shutil.rmtree(remote)
    remote.write_text("a file where the remote folder should be")

    code, err = _push(dvc_repo)

    assert code == 1 and isinstance(err, str) and "dvc push" in err


@pytest.mark.slow
def test_check_on_push_runs_the_check_with_the_volume_signal(demo_project: Path) -> None:
    from retrigger.demo import project

    sh(demo_project, "dvc", "remote", "add", "-d", "local", str(demo_project.parent / "remote"))
    config = demo_project / "retrigger.yaml"
    config.write_text(config.read_text() + "hooks: {check_on_push: true}\n")
    text = config.read_text().replace(
        "  schedule: {max_age: 30d}\n",
        "  schedule: {max_age: 30d}\n  volume: {min_new_rows: 1000}\n",
    )
    config.write_text(text)
    project.degrade(demo_project)

    code, document = _push(demo_project)

    assert code == 0 and isinstance(document, dict), document
    decision = document["decision"]
    assert isinstance(decision, dict) and "volume" in decision["trigger_types"]
    volume = next(s for s in decision["signals"] if s["kind"] == "volume")
    assert volume["value"] == project.NEW_ROWS


def test_push_outside_dvc_is_exit_2_before_pushing(dvc_repo: Path) -> None:
    shutil.move(dvc_repo / ".dvc", dvc_repo.parent / "dvc-away")

    code, err = _push(dvc_repo)

    assert code == 2 and isinstance(err, str) and "DVC is not initialised" in err


def test_human_output_names_the_arrival_and_the_delta(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 101)

    result = run_cli("push", "--config", str(dvc_repo / "retrigger.yaml"))

    assert result.code == 0, result.err
    assert "dvc push: 1 file pushed" in result.out
    assert "arrived on the DVC remote (recorded)" in result.out
