"""``retrigger check`` with an ``s3://`` prefix under ``data:``: the drift and volume signals
compare the partitions written since the trained run with those written before it, through
DuckDB's httpfs on moto's S3 server (loopback), credentials from the environment only."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
import yaml

from retrigger.commands.baseline import set_baseline
from retrigger.workspace import Workspace
from tests.support.cli import run_cli
from tests.support.s3 import moto_server, parquet_day, point_aws_at

pytestmark = pytest.mark.slow  # a server, git, MLflow

PREFIX_KEY = "events"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def project(
    demo_project: Path, s3_server: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Any, str]:
    """Two days written, then the trained run (the baseline), then a third, shifted day."""
    point_aws_at(s3_server, monkeypatch)
    monkeypatch.chdir(demo_project)
    bucket = f"b-{demo_project.parent.name.lower().replace('_', '-')[:40]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    for day in (1, 2):
        _put(client, bucket, day, 0.0, 2000)
    prefix = f"s3://{bucket}/{PREFIX_KEY}/"
    config = demo_project / "retrigger.yaml"
    document: dict[str, Any] = yaml.safe_load(config.read_text(encoding="utf-8"))
    document["data"] = [{"path": prefix, "format": "parquet", "partitioning": "hive"}]
    document["signals"]["drift"] = {"engine": "duckdb", "bins": 50, "share": 0.4}
    document["signals"]["volume"] = {"min_new_rows": 1000}
    config.write_text(yaml.safe_dump(document), encoding="utf-8")
    # S3 dates an object to the second: the run starts at the next whole second, and the
    # third day is written a second after it.
    cutoff = math.ceil(time.time())
    _trained_run(Workspace.load(config), cutoff)
    time.sleep(max(0.0, cutoff + 1.1 - time.time()))
    _put(client, bucket, 3, 2.5, 4000)
    return config, client, bucket


def _put(client: Any, bucket: str, day: int, shift: float, rows: int) -> None:
    key = f"{PREFIX_KEY}/date=2024-03-0{day}/part-0.parquet"
    client.put_object(Bucket=bucket, Key=key, Body=parquet_day(day, shift, rows))


def _trained_run(workspace: Workspace, started_ms_at: int) -> None:
    client = workspace.tracking.client
    experiment = str(workspace.tracking.experiment_id(create=True))
    run = client.create_run(experiment, start_time=started_ms_at * 1000)
    client.log_metric(run.info.run_id, workspace.config.model.metric, 0.9)
    client.set_terminated(run.info.run_id)
    set_baseline(workspace, run.info.run_id)


def _check(config: Path) -> dict[str, dict[str, Any]]:
    result = run_cli("check", "--config", str(config), "--json")
    assert result.code == 0, result.err
    decision = json.loads(result.out)
    return {s["kind"]: s for s in decision["signals"]}


def test_a_check_compares_the_partitions_written_since_the_trained_run(
    project: tuple[Path, Any, str],
) -> None:
    config, _, bucket = project

    signals = _check(config)

    drift, volume = signals["drift"], signals["volume"]
    prefix = f"s3://{bucket}/{PREFIX_KEY}/"
    assert drift["state"] == "fired", drift["detail"]
    assert "x (" in drift["detail"]
    assert f"{prefix}: duckdb: 3 partition(s) vs 2 trained" in drift["detail"]
    assert volume["state"] == "fired" and volume["value"] == 4000, volume["detail"]
    assert f"{prefix}: +1 partitions (date=2024-03-03), +4k rows" in volume["detail"]
    assert any((config.parent / ".retrigger" / "profiles").rglob("*.json"))


def test_unreadable_credentials_make_both_readings_unknown_and_the_check_goes_on(
    project: tuple[Path, Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _, bucket = project
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there

    signals = _check(config)

    prefix = f"s3://{bucket}/{PREFIX_KEY}/"
    for kind in ("drift", "volume"):
        assert signals[kind]["state"] == "unknown", signals[kind]
        assert f"{prefix} cannot be listed" in signals[kind]["detail"]
        assert "\n" not in signals[kind]["detail"]
    assert signals["schedule"]["state"] != "unknown"  # the check went on with the others
    assert not list((config.parent / ".retrigger" / "profiles").rglob("*.json"))
