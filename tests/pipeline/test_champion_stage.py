"""`pipeline.champion_stage`: a served app that still loads the legacy "Production" stage gets the
promoted model too (the old version archived), not only the apps that read the alias."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.retrain import Retrainable

pytestmark = pytest.mark.slow


def _client(root: Path) -> Any:
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{root / 'mlflow.db'}"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _in_production(root: Path) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        found = _client(root).get_latest_versions("churn", stages=["Production"])
    return [str(v.version) for v in found]


def test_promotion_also_moves_the_legacy_production_stage(
    retrainable: Retrainable, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = retrainable.root
    client = _client(root)
    baseline = client.search_runs(
        [client.get_experiment_by_name("churn").experiment_id], "tags.`retrigger.baseline` = 'true'"
    )[0]
    # The team's production model: version 1, served from the legacy stage, no alias.
    client.create_registered_model("churn")
    old = client.create_model_version("churn", f"runs:/{baseline.info.run_id}/model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        client.transition_model_version_stage("churn", old.version, "Production")
    assert _in_production(root) == ["1"]
    monkeypatch.setenv("RETRIGGER_PIPELINE__CHAMPION_STAGE", "Production")

    result = run_cli("run", "--config", retrainable.config, "--json")

    assert result.code == 0, result.err
    new = client.get_model_version_by_alias("churn", "champion")
    assert _in_production(root) == [str(new.version)] != ["1"]
    assert client.get_model_version("churn", "1").current_stage == "Archived"
    assert "and stage Production" in result.out + result.err
