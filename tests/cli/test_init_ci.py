"""What a CI runner needs from `init`: retrigger installed apart from the project (the generated
workflow's `uv tool install "$RETRAIN_REQUIREMENT"`, defaulting to how this retrigger was
installed), and an MLflow it can reach (`init` and `config validate --ci` warn otherwise)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.metadata import PathDistribution
from pathlib import Path

import pytest

from retrigger.scaffold.ci import own_requirement
from tests.support import brought as projects
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh

get_started_template = projects.get_started_template


def installed(tmp_path: Path, direct_url: Mapping[str, object] | None) -> PathDistribution:
    """A retrigger 1.4.0 distribution as pip or uv leaves it in site-packages."""
    info = tmp_path / "site" / "retrigger-1.4.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: retrigger\nVersion: 1.4.0\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    return PathDistribution(info)


def test_from_an_index_a_git_url_or_a_wheel_url_the_runner_installs_the_same(
    tmp_path: Path,
) -> None:
    git = {
        "url": "https://github.com/acme/retrigger.git",
        "vcs_info": {"vcs": "git", "commit_id": "0123abc", "requested_revision": "v1.4.0"},
    }
    wheel = "https://files.example/retrigger-1.4.0-py3-none-any.whl"

    assert own_requirement(installed(tmp_path / "a", None)).spec == "retrigger==1.4.0"
    found = own_requirement(installed(tmp_path / "b", git))
    assert found.spec == "git+https://github.com/acme/retrigger.git@0123abc" and found.reachable
    found = own_requirement(installed(tmp_path / "c", {"url": wheel, "archive_info": {}}))
    assert found.spec == wheel and found.reachable


def test_a_checkout_on_this_disk_is_unreachable_and_its_origin_is_suggested(
    tmp_path: Path,
) -> None:
    checkout = tmp_path / "retrigger-src"
    checkout.mkdir()
    sh(checkout, "git", "init", "-q")
    sh(checkout, "git", "commit", "-q", "--allow-empty", "-m", "src")
    sh(checkout, "git", "remote", "add", "origin", "git@github.com:acme/retrigger.git")
    commit = sh(checkout, "git", "rev-parse", "HEAD").strip()
    editable = {"url": checkout.as_uri(), "dir_info": {"editable": True}}
    local_wheel = {"url": (tmp_path / "r.whl").as_uri(), "archive_info": {}}

    found = own_requirement(installed(tmp_path / "a", editable))
    wheel = own_requirement(installed(tmp_path / "b", local_wheel))

    assert not found.reachable and f"from {checkout} (editable)" == found.how
    assert found.spec == f"git+ssh://git@github.com/acme/retrigger.git@{commit}"
    assert not wheel.reachable and wheel.spec == "retrigger==1.4.0"


def test_init_installs_retrigger_apart_and_says_what_ci_cannot_reach(
    get_started_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = projects.copy(get_started_template, tmp_path)
    monkeypatch.chdir(root)

    result = run_cli("init", "--json")

    assert result.code == 0, result.err
    warnings = json.loads(result.out)["warnings"]
    spec = own_requirement().spec  # this test suite's retrigger: an editable checkout
    assert any("set the secret RETRAIN_REQUIREMENT" in w for w in warnings), warnings
    assert any("tracking.uri sqlite:///mlflow.db is a store on this disk" in w for w in warnings)
    workflow = (root / ".github/workflows/retrain.yml").read_text()
    assert f"secrets.RETRAIN_REQUIREMENT || '{spec}'" in workflow
    assert "Allow GitHub Actions to create and approve pull requests" in workflow


@pytest.mark.parametrize(
    ("uri", "warned"),
    [
        ("sqlite:///mlflow.db", "is a store on this disk"),
        ("http://0.0.0.0:1234", "is this machine: a CI runner cannot reach it"),
        ("http://localhost:5000", "is this machine"),
        ("https://mlflow.example.com", None),
    ],
)
def test_config_validate_ci_warns_about_a_tracking_uri_a_runner_cannot_use(
    tmp_path: Path, uri: str, warned: str | None
) -> None:
    config = tmp_path / "retrigger.yaml"
    config.write_text(f"model: {{name: m, metric: accuracy}}\ntracking: {{uri: '{uri}'}}\n")

    # --offline: the alias check would ask these servers (one is not on loopback).
    plain = run_cli("config", "validate", "--offline", "--config", str(config))
    ci = run_cli("config", "validate", "--offline", "--ci", "--config", str(config))

    assert plain.code == 0 and ci.code == 0, ci.err
    assert "warning" not in plain.out
    if warned is None:
        assert "warning" not in ci.out
    else:
        assert f"warning: tracking.uri {uri} {warned}" in ci.out
        assert "MLFLOW_TRACKING_URI" in ci.out
