"""The Kubernetes CronJob `retrigger init --ci k8s` writes, validated offline.

kubectl needs an API server even for a client-side dry run, so the manifest is validated
against the Kubernetes OpenAPI schemas that the `kubernetes-validate` package ships.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import ValidationError

from tests.support import git_dvc
from tests.support.cli import run_cli

# Fixtures: a small committed git + DVC project, built once per session and copied.
git_dvc_template = git_dvc.git_dvc_template
git_dvc_project = git_dvc.git_dvc_project

KUBERNETES = "1.30.0"


@pytest.fixture
def manifest(git_dvc_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(git_dvc_project)
    assert run_cli("init", "--ci", "k8s").code == 0
    return git_dvc_project / "k8s" / "retrigger-cronjob.yaml"


def _cronjob(path: Path) -> dict[str, Any]:
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert [d["kind"] for d in documents] == ["CronJob"]
    cronjob: dict[str, Any] = documents[0]
    return cronjob


def test_the_cronjob_passes_the_kubernetes_schema_strictly(manifest: Path) -> None:
    kubernetes_validate.validate(_cronjob(manifest), KUBERNETES, strict=True)


def test_the_schema_check_is_live(manifest: Path) -> None:
    broken = _cronjob(manifest)
    broken["spec"]["concurrencyPolicyy"] = broken["spec"].pop("concurrencyPolicy")

    with pytest.raises(ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_one_job_at_a_time_off_the_hour_secrets_from_a_secret(manifest: Path) -> None:
    spec = _cronjob(manifest)["spec"]
    container = spec["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]

    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["schedule"].split()[0] not in ("0", "*")
    assert container["envFrom"] == [{"secretRef": {"name": "retrigger-project"}}]
    assert not any("value" in e and "postgresql" in str(e["value"]) for e in container["env"])
    assert "RETRIGGER_STATE__URL=postgresql://" in manifest.read_text()  # how to create it


@pytest.mark.slow
def test_the_job_script_checks_first_and_retrains_only_when_told(
    manifest: Path, tmp_path: Path
) -> None:
    """Run the container's script with stand-ins for dvc and retrigger that log their calls."""
    script = _cronjob(manifest)["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0][
        "args"
    ][0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    (bin_dir / "dvc").write_text(f'#!/bin/sh\necho "dvc $*" >> {log}\n')
    (bin_dir / "retrigger").write_text(
        f'#!/bin/sh\necho "retrigger $*" >> {log}\n'
        'if [ "$1" = check ]; then printf "retrain=$FIRE\\ndecision_id=d-1\\n'
        'trigger_types=drift\\n" >> "$GITHUB_OUTPUT"; fi\n'
    )
    for tool in ("dvc", "retrigger"):
        (bin_dir / tool).chmod(0o755)

    calls = {}
    for fire in ("false", "true"):
        log.write_text("")
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "FIRE": fire,
            "TMPDIR": str(tmp_path / fire),
        }
        (tmp_path / fire).mkdir()
        subprocess.run(["/bin/sh", "-c", script], env=env, check=True, cwd=tmp_path)
        calls[fire] = log.read_text().splitlines()

    assert calls["false"] == [
        "dvc pull",
        "retrigger check --github-output",
        "retrigger run --approved",
    ]
    assert calls["true"] == [
        "dvc pull",
        "retrigger check --github-output",
        "retrigger run --decision d-1",
        "retrigger run --approved",
    ]
