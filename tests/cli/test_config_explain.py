"""`retrigger config explain`: the policy in sentences, the live baseline when MLflow answers,
RETRAINING.md kept in step, and the config-check hook refusing a stale section."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.lineage import tags
from tests.support.cli import run_cli
from tests.support.dvcrepo import sh

POLICY = """\
signals:
  performance: {min: 0.85, max_drop: 0.05}
  schedule: {max_age: 30d}
  volume: {min_new_rows: 10000}
policy:
  cooldown: 24h
  max_retrains: {count: 3, per: 7d}
  approval: required
slack:
  channel: "#ml-ops"
  approvers: [S0MLLEADS]
"""


def _config(root: Path, uri: str) -> Path:
    path = root / "retrigger.yaml"
    path.write_text(
        f"model: {{name: churn}}\ntracking: {{uri: '{uri}', experiment: churn}}\n"
        f"data: [data/train.csv]\n{POLICY}"
    )
    return path


def test_sentences_a_non_engineer_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _config(tmp_path, "http://127.0.0.1:9")  # nobody answers there: no live number

    result = run_cli("config", "explain")

    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert (
        "Retrains *churn* when accuracy falls below 0.85, or more than 5 % under the "
        "baseline; or 30 days after the last retrain; or when 10,000 new rows arrived. "
        "Never within 24 h of the last retrain, at most 3 per 7 days. A member of "
        "S0MLLEADS approves in #ml-ops."
    ) in text


def test_the_live_baseline_when_mlflow_answers(
    tmp_path: Path, mlflow_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _config(tmp_path, mlflow_uri)
    from retrigger.workspace import Workspace

    tracking = Workspace.load(tmp_path / "retrigger.yaml").tracking
    run = tracking.client.create_run(
        str(tracking.experiment_id(create=True)), tags={tags.BASELINE: "true"}
    )
    tracking.client.log_metric(run.info.run_id, "accuracy", 0.91)

    result = run_cli("config", "explain", "--markdown")

    assert result.code == 0, result.err
    assert result.out.startswith("## When churn retrains")
    assert "more than 5 % under the baseline (now 0.91 → 0.8645)" in result.out


def test_the_hook_refuses_a_config_change_that_leaves_retraining_md_stale(
    dvc_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(dvc_repo)
    config = dvc_repo / "retrigger.yaml"
    config.write_text(config.read_text() + POLICY)
    assert run_cli("config", "explain", "--update", "RETRAINING.md").code == 0
    document = dvc_repo / "RETRAINING.md"
    document.write_text("# Our model\n\nRead this first.\n\n" + document.read_text())
    assert "updated" not in run_cli("config", "explain", "--update", "RETRAINING.md").out
    sh(dvc_repo, "git", "add", "retrigger.yaml", "RETRAINING.md")
    assert run_cli("hook", "config-check").code == 0  # in step

    config.write_text(config.read_text().replace("max_age: 30d", "max_age: 14d"))
    sh(dvc_repo, "git", "add", "retrigger.yaml")
    stale = run_cli("hook", "config-check")

    assert stale.code == 1
    assert "retrigger config explain --update RETRAINING.md" in stale.err
    assert run_cli("config", "explain", "--update", "RETRAINING.md").out.strip().endswith("updated")
    assert run_cli("hook", "config-check").code == 0
    text = document.read_text()
    assert text.startswith("# Our model\n\nRead this first.")  # the team's words stay
    assert "14 days after the last retrain" in text
