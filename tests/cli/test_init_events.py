"""`retrigger init --events s3|gcs|azure|mlflow`: the events: section written (a config that
loads), and the cloud-side setup printed with the endpoint and the secret to set."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.config import load_config
from tests.support import git_dvc
from tests.support.cli import run_cli

git_dvc_template = git_dvc.git_dvc_template
git_dvc_project = git_dvc.git_dvc_project


def test_init_with_events_writes_a_section_that_loads_and_prints_each_setup(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (git_dvc_project / "metrics.json").write_text('{"accuracy": 0.91}\n')
    (git_dvc_project / "dvc.yaml").write_text(
        "stages:\n  train:\n    cmd: python train.py\n    deps: [data/train.csv]\n"
        "    outs: [model]\n    metrics: [metrics.json]\n"
    )
    monkeypatch.chdir(git_dvc_project)

    result = run_cli(
        "init", "--events", "s3", "--events", "gcs", "--events", "azure", "--events", "mlflow"
    )

    assert result.code == 0, result.err
    events = load_config(git_dvc_project / "retrigger.yaml", environ={}).config.events
    assert [(w.source, w.prefix, w.data) for w in events.watch] == [
        ("s3", "s3://YOUR-BUCKET/path/", "data/train.csv"),
        ("gcs", "gs://YOUR-BUCKET/path/", "data/train.csv"),
        (
            "azure",
            "https://YOURACCOUNT.blob.core.windows.net/YOUR-CONTAINER/path/",
            "data/train.csv",
        ),
    ]
    assert events.gcs.audience == "https://RETRIGGER-HOST/events/gcs"
    assert events.baseline == "follow-alias"
    out = " ".join(result.out.split())
    assert "header x-api-key" in out and "RETRAIN_EVENTS_S3_API_KEY" in out
    assert "--push-endpoint=https://RETRIGGER-HOST/events/gcs" in out
    assert "'https://RETRIGGER-HOST/events/azure?key=THAT-KEY'" in out
    assert "url='https://RETRIGGER-HOST/events/mlflow'" in out
    assert (git_dvc_project / ".github" / "workflows" / "retrain.yml").is_file()


def test_events_in_a_configured_project_add_only_the_section_once(
    git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(git_dvc_project)
    assert run_cli("init").code == 0
    before = (git_dvc_project / "retrigger.yaml").read_text()

    added = run_cli("init", "--events", "s3")
    again = run_cli("init", "--events", "gcs")
    unknown = run_cli("init", "--events", "ftp")

    assert added.code == 0, added.err
    after = (git_dvc_project / "retrigger.yaml").read_text()
    assert after.startswith(before) and "events:" in after[len(before) :]
    assert again.code == 2 and "already has an events: section" in again.err
    assert (git_dvc_project / "retrigger.yaml").read_text() == after
    assert unknown.code == 2 and "valid choices: s3, gcs, azure, mlflow" in unknown.err
